// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { memoryUsage } from "../../helpers/cgroup";
import { cleanupRun, runContainer, runId } from "../../helpers/docker";
import { helpersOf, reapersOf, waitFor } from "../../helpers/pulumi";
import { upThenKillTree } from "../../helpers/killTree";

const MiB = 1024 * 1024;

describe("MemoryStress (real Docker, real Pulumi engine)", { timeout: 600_000 }, () => {
    const run = runId();
    const target = `flt-mem-${run}`;
    const stackName = `test-mem-${run}`;
    const ttlStackName = `test-memttl-${run}`;
    const stacks: Stack[] = [];
    let stack: Stack;
    let baseline = 0;

    const experiment = (fields: Record<string, unknown> = { bytes: "48MiB" }, ttl = "10m") => ({
        name: "mem-test",
        faults: [{ name: "hog", kind: "docker:memory-stress", target: { name: target }, workers: 2, ttl, ...fields }],
    });

    before(async () => {
        useFaultlineEnv();
        // A 256 MiB limit: the stressor counts against it, and `percent` is a share of it.
        await runContainer({ name: target, run, cmd: ["sleep", "900"], memory: 256 * MiB });
        baseline = await memoryUsage(target);
        stack = await openStack(stackName, { experiment: experiment() });
        stacks.push(stack);
    });

    after(async () => {
        for (const s of stacks) {
            // A stack whose `pulumi up` was SIGKILLed keeps its lock until cancelled.
            await s.cancel().catch(() => undefined);
            await s.destroy().catch(() => undefined);
            await removeStack(s).catch(() => undefined);
        }
        await cleanupRun(run);
    });

    it("up holds 48 MiB charged to the target's own cgroup", async () => {
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        await waitFor("48 MiB charged to the target", async () => (await memoryUsage(target)) >= baseline + 46 * MiB, 60_000);
        assert.match(r.stdout, /allocate and hold 48MiB with 2 worker\(s\)/);
    });

    it("destroy frees it at once", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        await waitFor("the memory to be freed", async () => (await memoryUsage(target)) < baseline + 8 * MiB, 10_000);
        assert.equal((await helpersOf(stackName, "hog")).length, 0);
        assert.equal((await reapersOf(stackName, "hog")).length, 0);
    });

    it("percent is a share of the target's memory limit", async () => {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment({ percent: 25 })) });
        await stack.up();
        await waitFor("64 MiB (25% of 256 MiB) charged to the target", async () => (await memoryUsage(target)) >= baseline + 62 * MiB, 60_000);
        await stack.destroy();
        await waitFor("the memory to be freed", async () => (await memoryUsage(target)) < baseline + 8 * MiB, 10_000);
    });

    it("after SIGKILL of pulumi up, the TTL reaper frees the memory; refresh and destroy are clean no-ops", async () => {
        const ttlStack = await openStack(ttlStackName, { experiment: experiment({ bytes: "48MiB" }, "8s") });
        stacks.push(ttlStack);
        await upThenKillTree(ttlStackName, { whenSeen: async () => (await memoryUsage(target)) >= baseline + 46 * MiB });
        await waitFor("the reaper to free the memory", async () => (await memoryUsage(target)) < baseline + 8 * MiB, 60_000);
        await waitFor("the stressor and the reaper to be gone", async () =>
            (await helpersOf(ttlStackName, "hog")).length === 0 && (await reapersOf(ttlStackName, "hog")).length === 0, 30_000);

        await ttlStack.cancel().catch(() => undefined);
        assert.equal((await ttlStack.refresh({ clearPendingCreates: true })).summary.result, "succeeded");
        assert.equal((await ttlStack.destroy()).summary.result, "succeeded");
    });
});
