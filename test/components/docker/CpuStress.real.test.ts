// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { execInContainer } from "../../../components/core/docker";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { cpuShare } from "../../helpers/cgroup";
import { cleanupRun, runContainer, runId } from "../../helpers/docker";
import { helpersOf, reapersOf, waitFor } from "../../helpers/pulumi";
import { upThenKillTree } from "../../helpers/killTree";

// The machine is shared: a stressed target gets what the scheduler gives it, so "busy" is a modest floor and
// "idle" a small ceiling. An idle busybox `sleep` uses ~0.
const BUSY = 0.05;
const IDLE = 0.02;

describe("CpuStress (real Docker, real Pulumi engine)", { timeout: 600_000 }, () => {
    const run = runId();
    const target = `flt-cpu-${run}`;
    const stackName = `test-cpu-${run}`;
    const ttlStackName = `test-cputtl-${run}`;
    const stacks: Stack[] = [];
    let stack: Stack;

    const experiment = (ttl = "10m") => ({
        name: "cpu-test",
        faults: [{ name: "burn", kind: "docker:cpu-stress", target: { name: target }, workers: 1, load: 100, ttl }],
    });

    before(async () => {
        useFaultlineEnv();
        await runContainer({ name: target, run, cmd: ["sleep", "900"] });
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

    it("preview lists the fault and its target, and starts nothing", async () => {
        const p = await stack.preview({ diff: true });
        assert.equal(p.changeSummary.create, 4, "stack, component, fault and experiment metadata");
        assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerCpuStress/);
        assert.match(p.stdout, new RegExp(`name\\s*: "${target}"`));
        assert.equal((await helpersOf(stackName, "burn")).length, 0);
    });

    it("up burns CPU inside the target's cgroup, visible in its own process list", async () => {
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        await waitFor("the target's cgroup to burn CPU", async () => (await cpuShare(target)) > BUSY, 30_000, 0);
        const ps = await execInContainer(target, ["ps", "-o", "comm"]);
        assert.match(ps.stdout, /stress-ng/, "the stressor runs in the target's PID namespace");
        const helpers = await helpersOf(stackName, "burn");
        assert.equal(helpers.length, 1);
        assert.equal(helpers[0]!.State, "running");
    });

    it("destroy stops the stressor: the cgroup goes idle and no worker is left in the target", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        assert.ok((await cpuShare(target)) < IDLE, "the target is idle again");
        assert.equal((await helpersOf(stackName, "burn")).length, 0);
        const ps = await execInContainer(target, ["ps", "-o", "comm"]);
        assert.doesNotMatch(ps.stdout, /stress-ng/, "no stress-ng process, not even a zombie, is left");
        assert.equal((await reapersOf(stackName, "burn")).length, 0);
    });

    it("preview fails, naming the field, when no running container matches", async () => {
        await stack.setConfig("faultline:experiment", {
            value: JSON.stringify({ ...experiment(), faults: [{ ...experiment().faults[0], target: { name: `no-such-${run}` } }] }),
        });
        await assert.rejects(stack.preview(), /spec\.target.*has a problem: no running container with name "no-such-[0-9a-f]+"/);
    });

    it("after SIGKILL of pulumi up, the TTL reaper stops the stressor; refresh and destroy are clean no-ops", async () => {
        const ttlStack = await openStack(ttlStackName, { experiment: experiment("8s") });
        stacks.push(ttlStack);
        const running = async () => (await helpersOf(ttlStackName, "burn")).some((h) => h.State === "running");
        await upThenKillTree(ttlStackName, { whenSeen: running });
        await waitFor("the reaper to remove the stressor", async () => (await helpersOf(ttlStackName, "burn")).length === 0, 60_000);
        assert.ok((await cpuShare(target)) < IDLE, "the target is idle again");
        await waitFor("the reaper to remove itself", async () => (await reapersOf(ttlStackName, "burn")).length === 0, 30_000);

        await ttlStack.cancel().catch(() => undefined);
        assert.equal((await ttlStack.refresh({ clearPendingCreates: true })).summary.result, "succeeded");
        assert.equal((await ttlStack.destroy()).summary.result, "succeeded");
        assert.equal((await helpersOf(ttlStackName, "burn")).length, 0);
    });
});
