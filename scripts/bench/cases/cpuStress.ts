import { dockerClient } from "../../../components/core/docker";
import { toolsImage } from "../../../components/docker/helper";
import { cpuShare } from "../../../test/helpers/cgroup";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    target: string;
    cgroup: string;
    raw: string;
    labels: string[];
}

/** A sleeping container made to burn one core; observed through its cgroup's CPU counter over 200 ms windows. */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:cpu-stress",
    async setup(run) {
        const target = `flt-bench-cpu-${run.id}`;
        const id = await runContainer({ name: target, run: run.id, cmd: ["sleep", "3600"], labels: run.labels });
        const info = await dockerClient().getContainer(id).inspect();
        return {
            target,
            cgroup: `${info.HostConfig.CgroupParent || "/docker"}/${info.Id}`,
            raw: `flt-bench-cpu-raw-${run.id}`,
            labels: Object.entries(run.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
        };
    },
    spec: (c) => ({ target: { name: c.target }, workers: 1, load: 100 }),
    // The machine is shared: a stressed target gets what the scheduler gives it; an idle `sleep` uses ~0.
    observed: async (c) => (await cpuShare(c.target, 200)) > 0.05,
    healthy: async (c) => (await cpuShare(c.target, 200)) < 0.02,
    rawInject: (c) => [
        ["docker", "run", "-d", "--name", c.raw, ...c.labels, "--cgroup-parent", c.cgroup, "--pid", `container:${c.target}`,
            "--network", "none", "--cap-drop", "ALL", toolsImage(), "stress-ng", "--cpu", "1", "--cpu-load", "100", "--timeout", "600s", "--quiet"],
    ],
    rawRevert: (c) => [
        ["docker", "stop", "-t", "5", c.raw],
        ["docker", "rm", c.raw],
    ],
};
