import { dockerClient } from "../../../components/core/docker";
import { toolsImage } from "../../../components/docker/helper";
import { memoryUsage } from "../../../test/helpers/cgroup";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

const MiB = 1024 * 1024;

interface Ctx {
    target: string;
    cgroup: string;
    raw: string;
    labels: string[];
    baseline: number;
}

/** A sleeping container made to hold 32 MiB; observed through its cgroup's memory counter. */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:memory-stress",
    async setup(run) {
        const target = `flt-bench-mem-${run.id}`;
        const id = await runContainer({ name: target, run: run.id, cmd: ["sleep", "3600"], labels: run.labels, memory: 256 * MiB });
        const info = await dockerClient().getContainer(id).inspect();
        return {
            target,
            cgroup: `${info.HostConfig.CgroupParent || "/docker"}/${info.Id}`,
            raw: `flt-bench-mem-raw-${run.id}`,
            labels: Object.entries(run.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
            baseline: await memoryUsage(target),
        };
    },
    spec: (c) => ({ target: { name: c.target }, bytes: 32 * MiB, workers: 1 }),
    observed: async (c) => (await memoryUsage(c.target)) >= c.baseline + 30 * MiB,
    healthy: async (c) => (await memoryUsage(c.target)) < c.baseline + 4 * MiB,
    rawInject: (c) => [
        ["docker", "run", "-d", "--name", c.raw, ...c.labels, "--cgroup-parent", c.cgroup, "--pid", `container:${c.target}`,
            "--network", "none", "--cap-drop", "ALL", toolsImage(),
            "stress-ng", "--vm", "1", "--vm-bytes", `${32 * MiB}b`, "--vm-keep", "--vm-hang", "0", "--timeout", "600s", "--quiet"],
    ],
    rawRevert: (c) => [
        ["docker", "stop", "-t", "5", c.raw],
        ["docker", "rm", c.raw],
    ],
};
