// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
// A restart is one-shot: there is nothing to undo, only the guarantee that every restarted container runs again.
import assert from "node:assert/strict";
import { it } from "node:test";
import { dockerClient } from "../../../components/core/docker";
import { canFetch } from "../../helpers/docker";
import { faultCycleSuite } from "../../helpers/faultCycle";
import { faultlineContainersOf } from "../../helpers/faults";
import { waitFor } from "../../helpers/wait";
import { setExperiment } from "../../helpers/pulumi";

const state = async (name: string) => (await dockerClient().getContainer(name).inspect()).State;

faultCycleSuite({
    title: "ContainerRestart",
    tag: "restart",
    fault: (t) => ({ kind: "docker:container-restart", target: { name: t.web }, graceSeconds: 1 }),
    snapshot: async (t) => ({ startedAt: (await state(t.web)).StartedAt }),
    // The effect: a new run of the target (a new StartedAt) since the snapshot taken before this `up`.
    inEffect: async (t, prior) => (await state(t.web)).StartedAt !== (prior as { startedAt: string }).startedAt,
    restored: async (t) => (await state(t.web)).Running,
    // Stand in for a restart cut between its stop and its start: the revert (destroy or the reaper) must start it.
    oneShot: { cutShort: async (t) => void (await dockerClient().getContainer(t.web).stop({ t: 0 })) },
    // A finished restart is no longer in effect: there is nothing to undo by hand.
    revertByHand: async () => undefined,
    extraTests: ({ t, stack, experiment }) => {
        it("destroy starts a restarted container that is down", async () => {
            await setExperiment(stack(), experiment("10m"));
            await stack().up();
            await dockerClient().getContainer(t.web).stop({ t: 0 });
            assert.equal((await stack().destroy()).summary.result, "succeeded");
            assert.equal((await state(t.web)).Running, true);
            await waitFor("the target to answer", () => canFetch(t.client, t.url), 15_000);
            assert.deepEqual(await faultlineContainersOf(t.stack), []);
        });
    },
});
