// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { dockerClient, execInContainer } from "../../../components/core/docker";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { cleanupRun, runContainer, runId } from "../../helpers/docker";
import { reapersOf, waitFor } from "../../helpers/pulumi";
import { upThenKillTree } from "../../helpers/killTree";

const TOOLS = process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1";

/** A target that supports clock skew, as docs/stress-disk-clock.md describes. */
const FAKETIME_ENV = [
    "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "FAKETIME_TIMESTAMP_FILE=/etc/faketime",
    "FAKETIME_CACHE_DURATION=1",
    "FAKETIME_DONT_FAKE_MONOTONIC=1",
];

/** Seconds the target is ahead of the host: as a new process (`date`) sees it, and as its long-running one does. */
async function skewOf(container: string): Promise<{ exec: number; running: number }> {
    const now = Date.now() / 1000;
    const date = await execInContainer(container, ["date", "+%s"]);
    const running = await execInContainer(container, ["cat", "/tmp/now"]);
    return { exec: Math.round(Number(date.stdout.trim()) - now), running: Math.round(Number(running.stdout.trim()) / 1000 - now) };
}

/** True when both views of the target's clock are `offset` seconds off the host's, within 3 s. */
async function skewedBy(container: string, offset: number): Promise<boolean> {
    const s = await skewOf(container);
    return Math.abs(s.exec - offset) <= 3 && Math.abs(s.running - offset) <= 3;
}

async function startedAt(container: string): Promise<string> {
    return (await dockerClient().getContainer(container).inspect()).State.StartedAt;
}

describe("ClockSkew (real Docker, real Pulumi engine)", { timeout: 600_000 }, () => {
    const run = runId();
    const target = `flt-clock-${run}`;
    const busybox = `flt-clock-static-${run}`;
    const stackName = `test-clock-${run}`;
    const ttlStackName = `test-clockttl-${run}`;
    const stacks: Stack[] = [];
    let stack: Stack;

    const experiment = (fields: Record<string, unknown> = {}, ttl = "10m") => ({
        name: "clock-test",
        faults: [{ name: "skew", kind: "docker:clock-skew", target: { name: target }, offset: "-3h", ttl, ...fields }],
    });

    before(async () => {
        useFaultlineEnv();
        // Its long-running process writes what it thinks the time is, so the test sees a running process's clock.
        await runContainer({
            name: target,
            run,
            image: TOOLS,
            env: FAKETIME_ENV,
            cmd: ["node", "-e", "setInterval(() => require('fs').writeFileSync('/tmp/now', String(Date.now())), 200)"],
        });
        await runContainer({ name: busybox, run, cmd: ["sleep", "900"] });
        await waitFor("the target's clock writer", async () => (await execInContainer(target, ["test", "-s", "/tmp/now"])).exitCode === 0);
        assert.ok(await skewedBy(target, 0), "precondition: the target's clock is the host's");
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

    it("up moves the target's clock back 3 hours, for new and running processes alike", async () => {
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        await waitFor("the running process to see -3h", () => skewedBy(target, -3 * 3600), 15_000);
        const file = await execInContainer(target, ["cat", "/etc/faketime"]);
        assert.equal(file.stdout, "-10800\n");
    });

    it("destroy puts the clock back and removes the file it created", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        await waitFor("the running process to see real time", () => skewedBy(target, 0), 15_000);
        assert.equal((await execInContainer(target, ["test", "-e", "/etc/faketime"])).exitCode, 1, "the file is gone");
        assert.equal((await reapersOf(stackName, "skew")).length, 0);
    });

    it("restart: true restarts the target into the skew and again out of it", async () => {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment({ offset: "+1d", restart: true })) });
        const before0 = await startedAt(target);
        await stack.up();
        const afterUp = await startedAt(target);
        assert.notEqual(afterUp, before0, "up restarted the target");
        await waitFor("the restarted process to see +1d", () => skewedBy(target, 86_400), 15_000);
        await stack.destroy();
        assert.notEqual(await startedAt(target), afterUp, "destroy restarted it again");
        await waitFor("real time after the restart", () => skewedBy(target, 0), 15_000);
    });

    it("preview fails, naming the field and the fix, for a static busybox target", async () => {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment({ target: { name: busybox } })) });
        await assert.rejects(
            stack.preview(),
            new RegExp(`spec\\.target.*has a problem: container "${busybox}" does not load libfaketime: it must be started with LD_PRELOAD=`),
        );
    });

    it("after SIGKILL of pulumi up, the TTL reaper puts the clock back; refresh and destroy are clean no-ops", async () => {
        const ttlStack = await openStack(ttlStackName, { experiment: experiment({}, "8s") });
        stacks.push(ttlStack);
        await upThenKillTree(ttlStackName, { whenSeen: () => skewedBy(target, -3 * 3600) });
        await waitFor("the reaper to put the clock back", () => skewedBy(target, 0), 60_000);
        assert.equal((await execInContainer(target, ["test", "-e", "/etc/faketime"])).exitCode, 1, "the file is gone");
        await waitFor("the reaper to remove itself", async () => (await reapersOf(ttlStackName, "skew")).length === 0, 30_000);

        await ttlStack.cancel().catch(() => undefined);
        assert.equal((await ttlStack.refresh({ clearPendingCreates: true })).summary.result, "succeeded");
        assert.equal((await ttlStack.destroy()).summary.result, "succeeded");
        assert.ok(await skewedBy(target, 0));
    });
});
