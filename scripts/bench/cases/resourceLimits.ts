import { dockerClient } from "../../../components/core/docker";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

const MiB = 1024 * 1024;

/** The target's own limits, as in production: 1.5 CPUs over the default period, 64 MiB with 64 MiB of swap. */
const PRIOR = { CpuQuota: 150_000, CpuPeriod: 100_000, Memory: 64 * MiB, MemorySwap: 128 * MiB };
/** The squeeze: 0.2 CPUs (a quota of 20000 over the 100000 period) and 16 MiB without swap. */
const SQUEEZED = { CpuQuota: 20_000, Memory: 16 * MiB, MemorySwap: 16 * MiB };

interface Ctx {
    target: string;
}

const hostConfig = async (name: string) => (await dockerClient().getContainer(name).inspect()).HostConfig;

/**
 * A web server with explicit CPU and memory limits squeezed to 0.2 CPUs and 16 MiB; observed and probed with
 * `docker inspect` (HostConfig), which Docker updates once the cgroup is written. The container has a quota, so the
 * driver applies `cpus` as a quota over its period: the raw equivalent is `docker update --cpu-quota` (`--cpus`
 * would set NanoCpus, which Docker refuses next to a quota). Rollback writes the prior values back, as the driver's
 * revert does.
 */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:resource-limits",
    async setup(run) {
        const target = `flt-bench-limits-${run.id}`;
        await runContainer({ name: target, run: run.id, cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"], labels: run.labels, hostConfig: { ...PRIOR } });
        return { target };
    },
    spec: (c) => ({ target: { name: c.target }, cpus: 0.2, memory: "16m" }),
    observed: async (c) => {
        const h = await hostConfig(c.target);
        return h.CpuQuota === SQUEEZED.CpuQuota && h.Memory === SQUEEZED.Memory && h.MemorySwap === SQUEEZED.MemorySwap;
    },
    healthy: async (c) => {
        const h = await hostConfig(c.target);
        return h.CpuQuota === PRIOR.CpuQuota && h.CpuPeriod === PRIOR.CpuPeriod && h.Memory === PRIOR.Memory && h.MemorySwap === PRIOR.MemorySwap;
    },
    rawInject: (c) => [
        ["docker", "update", "--cpu-quota", String(SQUEEZED.CpuQuota), "--memory", `${SQUEEZED.Memory}`, "--memory-swap", `${SQUEEZED.MemorySwap}`, c.target],
    ],
    rawRevert: (c) => [
        ["docker", "update", "--cpu-quota", String(PRIOR.CpuQuota), "--memory", `${PRIOR.Memory}`, "--memory-swap", `${PRIOR.MemorySwap}`, c.target],
    ],
};
