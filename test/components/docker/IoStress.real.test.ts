// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import { dockerClient } from "../../../components/core/docker";
import { TARGET_LABEL } from "../../../components/docker/helper";
import { faultCycleSuite } from "../../helpers/faultCycle";

/** The stress-ng helpers running in the target's cgroup: the fault is in exactly while one runs. */
async function stressors(target: string): Promise<string[]> {
    const id = (await dockerClient().getContainer(target).inspect()).Id;
    const filters = JSON.stringify({ label: ["dev.faultline.role=helper", `${TARGET_LABEL}=${id}`], status: ["running"] });
    return (await dockerClient().listContainers({ filters })).map((c) => c.Names[0] ?? c.Id);
}

faultCycleSuite({
    title: "IoStress",
    tag: "io",
    fault: (t) => ({ kind: "docker:io-stress", target: { name: t.web }, workers: 1, bytesPerWorker: "8MiB" }),
    snapshot: async (t) => ({ stressors: await stressors(t.web), startedAt: (await dockerClient().getContainer(t.web).inspect()).State.StartedAt }),
    inEffect: async (t) => (await stressors(t.web)).length > 0,
    answersDuringFault: true,
    revertByHand: async (t) => {
        for (const name of await stressors(t.web)) await dockerClient().getContainer(name.replace(/^\//, "")).remove({ force: true });
    },
});
