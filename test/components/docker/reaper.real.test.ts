// Real-engine test of the Docker reaper's life cycle: one reaper per stack, faults armed as labelled volumes, and
// retirement without losing a fault armed at the same moment.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { ArmedFault } from "../../../components/core/FaultResource";
import { dockerClient } from "../../../components/core/docker";
import { Labels, STANDBY_KIND } from "../../../components/core/labels";
import { armedFaults, reaper } from "../../../components/docker/reaper";
import { runId } from "../../helpers/docker";
import { waitFor } from "../../helpers/wait";

/** Containers and volumes faultline left for a stack. */
async function leftFor(stack: string) {
    const filters = JSON.stringify({ label: [`${Labels.stack}=${stack}`] });
    const containers = await dockerClient().listContainers({ all: true, filters });
    const { Volumes } = await dockerClient().listVolumes({ filters });
    return { containers: containers.map((c) => c.Names[0]), volumes: (Volumes ?? []).map((v) => v.Name) };
}

describe("Docker reaper life cycle (real Docker)", { timeout: 180_000 }, () => {
    const run = runId();
    const stack = `test-reaper-${run}`;
    // Standby records: the reaper's whole life cycle, with nothing to revert on a target.
    const fault = (i: number, inMs: number): ArmedFault => ({
        id: `${STANDBY_KIND}/${stack}/${i}`,
        kind: STANDBY_KIND,
        record: null,
        owner: { project: "faultline", stack, experiment: "e", fault: `f${i}`, kind: STANDBY_KIND },
        expiresAt: Date.now() + inMs,
    });

    after(async () => {
        const filters = JSON.stringify({ label: [`${Labels.stack}=${stack}`] });
        for (const c of await dockerClient().listContainers({ all: true, filters })) await dockerClient().getContainer(c.Id).remove({ force: true });
        for (const v of (await dockerClient().listVolumes({ filters })).Volumes ?? []) await dockerClient().getVolume(v.Name).remove();
    });

    it("arms faults armed in parallel into one reaper, which fires each at its deadline and then retires", async () => {
        await Promise.all([0, 1, 2, 3, 4, 5].map((i) => reaper.arm(fault(i, 2_000 + i * 200))));
        const armed = await armedFaults({ stack });
        assert.deepEqual(armed.map((a) => a.owner.fault).sort(), ["f0", "f1", "f2", "f3", "f4", "f5"]);
        assert.equal(new Set(armed.map((a) => a.reaperName)).size, 1, "one reaper for the stack");
        assert.equal(armed.every((a) => a.running), true);
        await waitFor("every fault fired and the reaper retired", async () => {
            const left = await leftFor(stack);
            return left.containers.length === 0 && left.volumes.length === 0;
        }, 30_000);
    });

    it("never loses a fault armed while the reaper retires: every one fires, then nothing is left", async () => {
        // Each fault expires about when the next is armed, so arms keep landing around the reaper's retirements.
        for (let i = 0; i < 12; i++) {
            await reaper.arm(fault(100 + i, 150));
            await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
        }
        await waitFor("every fault fired and every reaper retired", async () => {
            const left = await leftFor(stack);
            return left.containers.length === 0 && left.volumes.length === 0;
        }, 60_000).catch(async (err: Error) => {
            throw new Error(`${err.message}: ${JSON.stringify(await leftFor(stack))}`);
        });
    });

    it("disarming the last fault retires the reaper at once; disarming again is a no-op", async () => {
        const f = fault(200, 600_000);
        await reaper.arm(f);
        assert.equal((await leftFor(stack)).containers.length, 1);
        await reaper.disarm(f.id, f.owner);
        assert.deepEqual(await leftFor(stack), { containers: [], volumes: [] });
        await reaper.disarm(f.id, f.owner);
    });

    it("disarming 20 faults at once (a destroy) retires the reaper once the last is disarmed", async () => {
        const faults = Array.from({ length: 20 }, (_, i) => fault(300 + i, 600_000));
        await Promise.all(faults.map((f) => reaper.arm(f)));
        assert.deepEqual([(await leftFor(stack)).containers.length, (await leftFor(stack)).volumes.length], [1, 20]);
        await Promise.all(faults.map((f) => reaper.disarm(f.id, f.owner)));
        assert.deepEqual(await leftFor(stack), { containers: [], volumes: [] });
    });
});
