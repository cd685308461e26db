// Acceptance test (real Docker, real Pulumi CLI): the commands that write no intermediate checkpoints
// (PULUMI_SKIP_CHECKPOINTS, runner/pulumi.ts withoutCheckpoints) lose nothing when they are killed with SIGKILL.
// - An `up` of Docker faults, killed once a fault is in: the state knows none of them (it is as before the up), yet
//   `recover` reverts every one at once, from the reapers they were armed in.
// - A `destroy`, killed once it has reverted a fault: the state still lists every fault, the reverted ones too, and
//   `recover` destroys them all again.
// A command can still write its final state between the moment it is seen and the kill (three faults go in within
// milliseconds of each other): then there is nothing to show, the stack is recovered, and the case tries again.
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
/** How many times a case tries for a kill that lands before the command's final write. */
const ATTEMPTS = 4;

async function pausedOf(names: string[]): Promise<boolean[]> {
    return Promise.all(names.map(async (n) => (await dockerClient().getContainer(n).inspect()).State.Paused));
}

describe("killed commands without intermediate checkpoints (real Docker, real Pulumi CLI)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const stacks: Stack[] = [];

    /** Three targets of the case's own, and a stack of one container-pause fault each, with a TTL far beyond the test. */
    async function caseOf(name: string): Promise<{ stack: Stack; targets: string[] }> {
        const targets = ["a", "b", "c"].map((n) => `flt-ckpt-${name}-${n}-${run}`);
        for (const t of targets) await runContainer({ name: t, run, cmd: ["sleep", "3600"] });
        const stack = await openStack(`test-ckpt-${name}-${run}`, {
            experiment: { name: `ckpt-${name}`, faults: targets.map((t, i) => ({ name: `pause-${i}`, kind: "docker:container-pause", target: { name: t }, ttl: "10m" })) },
        });
        stacks.push(stack);
        return { stack, targets };
    }

    /** `recover` of the stack, and what every case checks after it: targets as before, stack empty, nothing left. */
    async function recoverAndCheck(stack: Stack, targets: string[]) {
        const report = await recover({ stack: stack.name });
        assert.deepEqual(await pausedOf(targets), [false, false, false], `recover reverted every fault at once, long before its TTL\n${JSON.stringify(report, null, 2)}`);
        assert.deepEqual(report.left, []);
        assert.ok(stackIsEmpty(stack.name));
        assert.deepEqual(await faultlineContainersOf(stack.name), [], "no reaper or helper is left");
        return report;
    }

    before(() => {
        useFaultlineEnv();
    });
    after(async () => {
        for (const s of stacks) await teardownStack(s);
        await cleanupRun(run);
    });

    it("an up killed once a fault is in: the state knows none, recover reverts all from their reapers", async () => {
        const { stack, targets } = await caseOf("up");
        for (let attempt = 1; ; attempt++) {
            const k = await upThenKillTree(stack.name, { whenSeen: async () => (await pausedOf(targets)).some(Boolean) }, 180_000, SKIP);
            const inState = await liveResources(stack);
            if (inState.length > 0 && attempt < ATTEMPTS) {
                // The up wrote its final state before the kill: nothing to show this time.
                await recoverAndCheck(stack, targets);
                continue;
            }
            assert.equal(k.finishedFirst, false, `the up was still running when killed:\n${k.output}`);
            assert.deepEqual(inState, [], `no checkpoint was written in ${ATTEMPTS} attempts: the state is as before the up`);
            const armed = await listReapers(stack.name);
            assert.ok(armed.length >= 1, "the faults that went in are armed in the stack's reaper");
            const report = await recoverAndCheck(stack, targets);
            // Every armed fault, which the state does not know, is reverted (one killed between its arm and its pause
            // had nothing to undo); the experiment's standby expires with them.
            assert.ok(
                report.reapers.every((r) => r.outcome === "reverted" || r.outcome === "already-reverted"),
                JSON.stringify(report, null, 2),
            );
            assert.deepEqual(
                report.reapers.filter((r) => r.kind !== STANDBY_KIND).map((r) => r.fault).sort(),
                armed.map((r) => r.fault).sort(),
            );
            return;
        }
    });

    it("a destroy killed once it reverted a fault: the state still lists all, recover destroys them again", async () => {
        const { stack, targets } = await caseOf("destroy");
        const argv = ["pulumi", "destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", stack.name];
        for (let attempt = 1; ; attempt++) {
            await stack.up();
            assert.deepEqual(await pausedOf(targets), [true, true, true]);
            const k = await runThenKillTree(argv, { whenSeen: async () => (await pausedOf(targets)).some((p) => !p) }, { what: "pulumi destroy", env: { ...faultlineEnv(), ...SKIP } });
            const faultsInState = (await liveResources(stack)).filter((r) => r.type.includes("DockerContainerPause"));
            if (faultsInState.length === 0 && attempt < ATTEMPTS) {
                // The destroy wrote its final state before the kill: nothing to show this time.
                await recoverAndCheck(stack, targets);
                continue;
            }
            assert.equal(k.finishedFirst, false, `the destroy was still running when killed:\n${k.output}`);
            assert.equal(faultsInState.length, 3, "no checkpoint was written: the state still lists every fault, the reverted ones too");
            const report = await recoverAndCheck(stack, targets);
            assert.deepEqual(report.stacks.map((s) => s.action), ["destroyed"], JSON.stringify(report, null, 2));
            return;
        }
    });
});
