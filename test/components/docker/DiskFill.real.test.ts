// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { execInContainer } from "../../../components/core/docker";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { cleanupRun, runContainer, runId } from "../../helpers/docker";
import { reapersOf, waitFor } from "../../helpers/pulumi";
import { upThenKillTree } from "../../helpers/killTree";

/** KiB used on the filesystem of `dir`, as `df` inside the container reports it. */
async function usedKiB(container: string, dir: string): Promise<number> {
    const r = await execInContainer(container, ["sh", "-c", `df -k ${dir} | tail -n 1`]);
    return Number(r.stdout.trim().split(/\s+/)[2]);
}

async function exists(container: string, file: string): Promise<boolean> {
    return (await execInContainer(container, ["test", "-e", file])).exitCode === 0;
}

describe("DiskFill (real Docker, real Pulumi engine)", { timeout: 600_000 }, () => {
    const run = runId();
    const target = `flt-df-${run}`;
    const stackName = `test-df-${run}`;
    const ttlStackName = `test-dfttl-${run}`;
    const stacks: Stack[] = [];
    let stack: Stack;

    const experiment = (fields: Record<string, unknown> = {}, ttl = "10m") => ({
        name: "df-test",
        faults: [{ name: "data-fill", kind: "docker:disk-fill", target: { name: target }, path: "/data", bytes: "8MiB", ttl, ...fields }],
    });
    const fillFile = (s: string) => `/data/.faultline-fill-${s}-data-fill`;

    before(async () => {
        useFaultlineEnv();
        // A small tmpfs keeps the fill at a few MiB and off the host's disk.
        await runContainer({ name: target, run, cmd: ["sleep", "900"], tmpfs: { "/data": "size=16m" } });
        await execInContainer(target, ["sh", "-c", "echo keep > /data/keep"]);
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

    it("preview lists the fault and its target, and writes nothing", async () => {
        const p = await stack.preview({ diff: true });
        assert.equal(p.changeSummary.create, 4, "stack, component, fault and experiment metadata");
        assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerDiskFill/);
        assert.match(p.stdout, new RegExp(`name\\s*: "${target}"`));
        assert.equal(await usedKiB(target, "/data"), 4, "only the 4 KiB of /data/keep are used before up");
    });

    it("up fills /data: df in the target shows 8 MiB more used", async () => {
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        assert.equal(await usedKiB(target, "/data"), 4 + 8192);
        const size = await execInContainer(target, ["stat", "-c", "%s", fillFile(stackName)]);
        assert.equal(size.stdout.trim(), String(8 * 1024 * 1024));
        assert.equal((await reapersOf(stackName, "data-fill")).length, 1, "a reaper guards the fault");
    });

    it("destroy deletes exactly that file: the space is free again and other files stay", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        assert.equal(await exists(target, fillFile(stackName)), false);
        assert.equal(await usedKiB(target, "/data"), 4);
        assert.equal((await execInContainer(target, ["cat", "/data/keep"])).stdout, "keep\n");
        assert.equal((await reapersOf(stackName, "data-fill")).length, 0, "destroy disarms the reaper");
    });

    it("a percentage of the free space, capped by the filesystem", async () => {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment({ bytes: undefined, percent: 100 })) });
        await stack.up();
        assert.equal(await usedKiB(target, "/data"), 16384, "100% of the free space fills the 16 MiB tmpfs");
        const fail = await execInContainer(target, ["sh", "-c", "echo x > /data/more"]);
        assert.match(fail.stderr, /No space left on device/);
        await stack.destroy();
        assert.equal(await usedKiB(target, "/data"), 4);
    });

    it("preview fails, naming the field, when the path is not a directory in the target", async () => {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment({ path: "/nope" })) });
        await assert.rejects(stack.preview(), new RegExp(`spec\\.path.*has a problem: /nope is not a directory in container "${target}"`));
    });

    it("destroy after the reaper already reverted the fault is a clean no-op", async () => {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment({}, "8s")) });
        await stack.up();
        // On a busy machine `up` can outlast an 8 s TTL, so the fault is checked in the state, not on the target.
        const state = await stack.exportStack();
        const fault = (state.deployment.resources as { type: string; outputs?: { record?: { targets: { written: number }[] } } }[])
            .find((r) => r.type.endsWith("faultline:DockerDiskFill"));
        assert.equal(fault?.outputs?.record?.targets[0]?.written, 8 * 1024 * 1024, "up injected the fault");
        await waitFor("the reaper to delete the fill file", async () => !(await exists(target, fillFile(stackName))), 60_000);
        await waitFor("the reaper to remove itself", async () => (await reapersOf(stackName, "data-fill")).length === 0, 30_000);
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        assert.doesNotMatch(r.stdout, /warning/i);
        assert.equal(await usedKiB(target, "/data"), 4);
        assert.equal((await execInContainer(target, ["cat", "/data/keep"])).stdout, "keep\n");
    });

    it("after SIGKILL of pulumi up, the TTL reaper deletes the file; refresh and destroy are clean no-ops", async () => {
        const ttlStack = await openStack(ttlStackName, { experiment: experiment({}, "8s") });
        stacks.push(ttlStack);
        const file = fillFile(ttlStackName);
        await upThenKillTree(ttlStackName, { whenSeen: () => exists(target, file) });
        assert.equal(await usedKiB(target, "/data"), 4 + 8192, "the fault is in after the kill");
        await waitFor("the reaper to delete the fill file", async () => !(await exists(target, file)), 60_000);
        assert.equal(await usedKiB(target, "/data"), 4);
        await waitFor("the reaper to remove itself", async () => (await reapersOf(ttlStackName, "data-fill")).length === 0, 30_000);

        // The killed run may have left its lock and a pending create; refresh notices the fault is gone.
        await ttlStack.cancel().catch(() => undefined);
        const refreshed = await ttlStack.refresh({ clearPendingCreates: true });
        assert.equal(refreshed.summary.result, "succeeded");
        const destroyed = await ttlStack.destroy();
        assert.equal(destroyed.summary.result, "succeeded");
        assert.equal(await usedKiB(target, "/data"), 4);
        assert.equal((await execInContainer(target, ["cat", "/data/keep"])).stdout, "keep\n");
    });
});
