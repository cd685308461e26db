// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { it } from "node:test";
import { dockerClient } from "../../../components/core/docker";
import { memoryUsage } from "../../helpers/cgroup";
import { faultCycleSuite } from "../../helpers/faultCycle";
import { helpersOf, setExperiment } from "../../helpers/pulumi";
import { waitFor } from "../../helpers/wait";

const MiB = 1024 * 1024;
/** The target's memory use before any fault. */
let baseline = 0;
const freed = async (name: string) => (await memoryUsage(name)) < baseline + 8 * MiB;

faultCycleSuite({
    title: "MemoryStress",
    tag: "mem",
    fault: (t) => ({ kind: "docker:memory-stress", target: { name: t.web }, workers: 2, bytes: "48MiB" }),
    // A 256 MiB limit: the stressor counts against it, and `percent` is a share of it.
    web: { memory: 256 * MiB },
    prepare: async (t) => void (baseline = await memoryUsage(t.web)),
    helpers: 1,
    snapshot: async (t) => ({ freed: await freed(t.web), stressors: (await helpersOf(t.stack, "fault")).length }),
    inEffect: async (t) => (await memoryUsage(t.web)) >= baseline + 46 * MiB,
    // Up to 60 s for 48 MiB to be charged to the target on a loaded machine; destroy frees it within 10 s.
    showsWithinMs: 60_000,
    goesWithinMs: 10_000,
    restored: async (t) => (await freed(t.web)) && (await helpersOf(t.stack, "fault")).length === 0,
    checkUp: async (_t, up) => assert.match(up.stdout, /allocate and hold 48MiB with 2 worker\(s\)/),
    revertByHand: async (t) => {
        for (const h of await helpersOf(t.stack, "fault")) await dockerClient().getContainer(h.Id).remove({ force: true });
    },
    extraTests: ({ t, stack, experiment }) => {
        it("percent is a share of the target's memory limit", async () => {
            await setExperiment(stack(), experiment("10m", { bytes: undefined, percent: 25 }));
            await stack().up();
            await waitFor("64 MiB (25% of 256 MiB) charged to the target", async () => (await memoryUsage(t.web)) >= baseline + 62 * MiB, 60_000);
            await stack().destroy();
            await waitFor("the memory to be freed", () => freed(t.web), 10_000);
        });
    },
});
