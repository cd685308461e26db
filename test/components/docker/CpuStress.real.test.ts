// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { it } from "node:test";
import { dockerClient, execInContainer } from "../../../components/core/docker";
import { cpuShare } from "../../helpers/cgroup";
import { faultCycleSuite } from "../../helpers/faultCycle";
import { helpersOf, setExperiment } from "../../helpers/pulumi";

// The machine is shared: a stressed target gets what the scheduler gives it, so "busy" is a modest floor and
// "idle" a small ceiling. An idle busybox httpd uses ~0. The stressor runs at 20 % of a core: enough to tell from
// idle, and the 30-odd seconds it is in per run cost a fifth of the CPU they did at 100 % (the tier is CPU-bound).
const BUSY = 0.05;
const IDLE = 0.02;

/** Whether a stress-ng process (even a zombie) shows in the target's own process list. */
const stressorInTarget = async (name: string) => /stress-ng/.test((await execInContainer(name, ["ps", "-o", "comm"])).stdout);

faultCycleSuite({
    title: "CpuStress",
    tag: "cpu",
    fault: (t) => ({ kind: "docker:cpu-stress", target: { name: t.web }, workers: 1, load: 20 }),
    helpers: 1,
    snapshot: async (t) => ({ stressor: await stressorInTarget(t.web), idle: (await cpuShare(t.web)) < IDLE }),
    inEffect: async (t) => (await cpuShare(t.web)) > BUSY,
    showsWithinMs: 30_000,
    checkUp: async (t) => {
        assert.equal(await stressorInTarget(t.web), true, "the stressor runs in the target's PID namespace");
        const helpers = await helpersOf(t.stack, "fault");
        assert.equal(helpers.length, 1);
        assert.equal(helpers[0]!.State, "running");
    },
    // An operator stops the stressor by removing its container.
    revertByHand: async (t) => {
        for (const h of await helpersOf(t.stack, "fault")) await dockerClient().getContainer(h.Id).remove({ force: true });
    },
    extraTests: ({ t, stack, experiment }) => {
        it("preview lists the fault and its target, and starts nothing", async () => {
            await setExperiment(stack(), experiment("10m"));
            const p = await stack().preview({ diff: true });
            assert.equal(p.changeSummary.create, 4, "stack, component, fault and experiment metadata");
            assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerCpuStress/);
            assert.match(p.stdout, new RegExp(`name\\s*: "${t.web}"`));
            assert.equal((await helpersOf(t.stack, "fault")).length, 0);
        });

        it("preview fails, naming the field, when no running container matches", async () => {
            await setExperiment(stack(), experiment("10m", { target: { name: `no-such-${t.run}` } }));
            await assert.rejects(stack().preview(), /spec\.target.*has a problem: no such container: no running container with name "no-such-[0-9a-f]+"/);
        });
    },
});
