import { dockerClient } from "../../../components/core/docker";
import { TARGET_LABEL, toolsImage } from "../../../components/docker/helper";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    target: string;
    id: string;
    cgroup: string;
    raw: string;
    labels: string[];
}

/** The running stress-ng helpers nested in the target's cgroup: the fault is in exactly while one runs. */
async function stressors(c: Ctx): Promise<number> {
    const filters = JSON.stringify({ label: [`${TARGET_LABEL}=${c.id}`], status: ["running"] });
    return (await dockerClient().listContainers({ filters })).length;
}

/** A sleeping container given stress-ng disk workers; observed through the helper that runs them. */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:io-stress",
    async setup(run) {
        const target = `flt-bench-io-${run.id}`;
        const id = await runContainer({ name: target, run: run.id, cmd: ["sleep", "3600"], labels: run.labels });
        const info = await dockerClient().getContainer(id).inspect();
        return {
            target,
            id: info.Id,
            cgroup: `${info.HostConfig.CgroupParent || "/docker"}/${info.Id}`,
            raw: `flt-bench-io-raw-${run.id}`,
            labels: Object.entries(run.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
        };
    },
    spec: (c) => ({ target: { name: c.target }, workers: 1, bytesPerWorker: "8MiB" }),
    observed: async (c) => (await stressors(c)) > 0,
    healthy: async (c) => (await stressors(c)) === 0,
    // By hand: the same stress-ng run in the target's cgroup, labelled as faultline's helper is so it is observed alike.
    rawInject: (c) => [
        ["docker", "run", "-d", "--name", c.raw, ...c.labels, "--label", `${TARGET_LABEL}=${c.id}`, "--cgroup-parent", c.cgroup,
            "--pid", `container:${c.target}`, "--network", "none", "--cap-drop", "ALL", toolsImage(),
            "stress-ng", "--hdd", "1", "--hdd-bytes", "8M", "--timeout", "600s", "--quiet"],
    ],
    rawRevert: (c) => [
        ["docker", "stop", "-t", "5", c.raw],
        ["docker", "rm", c.raw],
    ],
};
