// Real-engine test: a run's `up` is held to the plan its preview (with the policy pack) wrote, so the pack need not
// run again in `up`. An up whose program now differs from what the preview reviewed fails before any injection. And
// the state the runner reads from the file backend's checkpoint is the one `pulumi stack export` prints.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { useFaultlineEnv } from "../../runner/env";
import { checkpointOf, liveResources, openStack, planFile, previewWithPolicies, upAsPreviewed, withoutResultReads } from "../../runner/pulumi";
import { cleanupRun, createNetwork, runContainer, runId } from "../helpers/docker";
import { teardownRunStack } from "../helpers/faults";

const exec = promisify(execFile);

/** Whether a container is paused, from the engine. */
async function paused(name: string): Promise<boolean> {
    return (await exec("docker", ["inspect", "-f", "{{.State.Paused}}", name])).stdout.trim() === "true";
}

/** A one-fault experiment pausing `target`. */
const pauseOf = (target: string) => ({
    name: "held-to-plan",
    hypothesis: { text: "nothing to measure", probes: [{ name: "tcp", kind: "tcp", port: 1 }] },
    stopConditions: [{ metric: "probe", probe: "tcp", samples: 1000 }],
    timing: { warmup: "0s", duration: "1s", cooldown: "0s", ttl: "10m" },
    faults: [{ name: "pause", kind: "docker:container-pause", target: { name: target } }],
});

describe("up held to the preview's plan (real Pulumi engine and policy pack)", { timeout: 600_000 }, () => {
    const run = runId();
    const net = `flt-plan-${run}`;
    const [a, b] = [`flt-plan-a-${run}`, `flt-plan-b-${run}`];
    const stack = `test-plan-${run}`;

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        for (const name of [a, b]) await runContainer({ name, run, network: net, cmd: ["sleep", "3600"] });
    });

    after(async () => {
        await teardownRunStack(stack);
        await cleanupRun(run);
    });

    it("an up whose faults differ from the previewed ones fails before injecting anything", async () => {
        const plan = planFile();
        const p = await previewWithPolicies(await openStack(stack, { experimentCopy: pauseOf(a) }), { plan });
        assert.equal(p.passed, true, p.stdout);
        // The program now pauses b, which the preview (and so the policy pack) never saw.
        const changed = await openStack(stack, { experimentCopy: pauseOf(b) });
        await assert.rejects(upAsPreviewed(changed, plan), /violates plan: properties changed/);
        assert.deepEqual([await paused(a), await paused(b)], [false, false]);
        // What was the same in both (the experiment's record, the fault's component) went in; no fault resource did.
        assert.deepEqual((await liveResources(changed)).map((r) => r.type), ["pulumi-nodejs:dynamic/faultline:Experiment", "faultline:docker:ContainerPause"]);
    });

    it("an up with the previewed faults injects them, and destroy reverts them", async () => {
        const plan = planFile();
        const s = await openStack(stack, { experimentCopy: pauseOf(a) });
        assert.equal((await previewWithPolicies(s, { plan })).passed, true);
        await upAsPreviewed(s, plan);
        assert.deepEqual([await paused(a), await paused(b)], [true, false]);
        // The state as read from the file backend's checkpoint (stackState) is what `pulumi stack export` prints.
        const exported = (await s.exportStack()).deployment as { resources: Array<{ urn: string; id?: string }> };
        assert.deepEqual(checkpointOf(stack)?.resources?.map((r) => [r.urn, r.id]), exported.resources.map((r) => [r.urn, r.id]));
        assert.equal(exported.resources.length, 5);
        await withoutResultReads(s).destroy();
        assert.deepEqual([await paused(a), await paused(b)], [false, false]);
        assert.deepEqual(await liveResources(s), []);
    });
});
