// Acceptance test (real Docker, real Pulumi CLI): the commands that write no intermediate checkpoints
// (PULUMI_SKIP_CHECKPOINTS, runner/pulumi.ts withoutCheckpoints) lose nothing when they are killed with SIGKILL.
// - An `up` of Docker faults, killed once they are in: the state knows none of them (it is as before the up), yet
//   `recover` reverts every one at once, from the reapers they were armed in.
// - A `destroy`, killed once it has reverted a fault: the state still lists every fault, the reverted ones too, and
//   `recover` destroys them all again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { dockerClient } from "../../components/core/docker";
import { STANDBY_KIND } from "../../components/core/labels";
import { faultlineEnv, useFaultlineEnv } from "../../runner/env";
import { liveResources, openStack } from "../../runner/pulumi";
import { listReapers, recover } from "../../runner/recover";
import { cleanupRun, runContainer, runId, SUITE_TIMEOUT_MS } from "../helpers/docker";
import { faultlineContainersOf, stackIsEmpty, teardownStack } from "../helpers/faults";
import { runThenKillTree, upThenKillTree } from "../helpers/killTree";

const SKIP = { PULUMI_SKIP_CHECKPOINTS: "true" };

async function pausedOf(names: string[]): Promise<boolean[]> {
    return Promise.all(names.map(async (n) => (await dockerClient().getContainer(n).inspect()).State.Paused));
}

describe("killed commands without intermediate checkpoints (real Docker, real Pulumi CLI)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const targets = ["a", "b", "c"].map((n) => `flt-ckpt-${n}-${run}`);
    const stacks: Stack[] = [];

    /** A stack of one container-pause fault per target, with a TTL far beyond the test: only `recover` reverts. */
    async function stackOf(name: string): Promise<Stack> {
        const stack = await openStack(`test-ckpt-${name}-${run}`, {
            experiment: { name: `ckpt-${name}`, faults: targets.map((t, i) => ({ name: `pause-${i}`, kind: "docker:container-pause", target: { name: t }, ttl: "10m" })) },
        });
        stacks.push(stack);
        return stack;
    }

    before(async () => {
        useFaultlineEnv();
        for (const name of targets) await runContainer({ name, run, cmd: ["sleep", "3600"] });
    });
    after(async () => {
        for (const s of stacks) await teardownStack(s);
        await cleanupRun(run);
    });

    it("an up killed once its faults are in: the state knows none, recover reverts all from their reapers", async () => {
        const stack = await stackOf("up");
        const k = await upThenKillTree(stack.name, { whenSeen: async () => (await pausedOf(targets)).every(Boolean) }, 180_000, SKIP);
        assert.equal(k.finishedFirst, false, `the up was still running when killed:\n${k.output}`);
        assert.deepEqual(await pausedOf(targets), [true, true, true], "the faults are in after the kill");
        assert.deepEqual(await liveResources(stack), [], "no checkpoint was written: the state is as before the up");
        assert.equal((await listReapers(stack.name)).length, 3, "every fault is armed in the stack's reaper");

        const report = await recover({ stack: stack.name });
        // The experiment's standby reaper, which the state does not know either, expires with them.
        const outcomes = report.reapers.map((r) => `${r.kind} ${r.fault}: ${r.outcome}`).sort();
        assert.deepEqual(outcomes, ["docker:container-pause pause-0: reverted", "docker:container-pause pause-1: reverted", "docker:container-pause pause-2: reverted", `${STANDBY_KIND} : reverted`], JSON.stringify(report, null, 2));
        assert.deepEqual(await pausedOf(targets), [false, false, false], "recover reverted every fault at once, long before its TTL");
        assert.deepEqual(report.left, []);
        assert.ok(stackIsEmpty(stack.name));
        assert.deepEqual(await faultlineContainersOf(stack.name), [], "no reaper or helper is left");
    });

    it("a destroy killed once it reverted a fault: the state still lists all, recover destroys them again", async () => {
        const stack = await stackOf("destroy");
        await stack.up();
        assert.deepEqual(await pausedOf(targets), [true, true, true]);
        const argv = ["pulumi", "destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", stack.name];
        const k = await runThenKillTree(argv, { whenSeen: async () => (await pausedOf(targets)).some((p) => !p) }, { what: "pulumi destroy", env: { ...faultlineEnv(), ...SKIP } });
        assert.equal(k.finishedFirst, false, `the destroy was still running when killed:\n${k.output}`);
        const faultsInState = (await liveResources(stack)).filter((r) => r.type.includes("DockerContainerPause"));
        assert.equal(faultsInState.length, 3, "no checkpoint was written: the state still lists every fault, the reverted ones too");

        const report = await recover({ stack: stack.name });
        assert.deepEqual(report.stacks.map((s) => s.action), ["destroyed"], JSON.stringify(report, null, 2));
        assert.deepEqual(await pausedOf(targets), [false, false, false]);
        assert.deepEqual(report.left, []);
        assert.ok(stackIsEmpty(stack.name));
        assert.deepEqual(await faultlineContainersOf(stack.name), [], "no reaper or helper is left");
    });
});
