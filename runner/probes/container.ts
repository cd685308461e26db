import * as fs from "node:fs";
import type { z } from "zod";
import { dockerClient, isNotFound } from "../../components/core/docker";
import type { ContainerHealthProbeSpec, ContainerStatsProbeSpec } from "../../spec/probe";
import { timedProbe, type Probe } from "./types";

/** Rejects after `ms`, so an engine call that hangs cannot stall the sampler. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        p,
        new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { name: "TimeoutError" })), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

/** Container health: running, and healthy by its Docker healthcheck when `status: healthy`. */
export function containerHealthProbe(spec: z.output<typeof ContainerHealthProbeSpec> & { name: string }): Probe {
    const docker = dockerClient();
    return timedProbe(
        spec,
        () => withTimeout(docker.getContainer(spec.container).inspect(), spec.timeout),
        ({ State: state }, latencyMs) => {
            if (!state.Running) return { ok: false, latencyMs, detail: `container is ${state.Status}` };
            if (spec.status === "healthy") {
                const health = state.Health?.Status;
                if (!health) return { ok: false, latencyMs, detail: "container has no healthcheck; use status: running or add a HEALTHCHECK" };
                return { ok: health === "healthy", latencyMs, detail: `health ${health}` };
            }
            return { ok: true, latencyMs, detail: state.Health?.Status ? `running, health ${state.Health.Status}` : "running" };
        },
        { failed: notFound(spec.container) },
    );
}

/** A probe's wording of a container that does not exist. */
const notFound = (container: string) => (err: unknown) => (isNotFound(err) ? `no container "${container}"` : undefined);

/** Where a container's cgroup counters are on this host, if the engine is local and they can be read. */
interface CgroupFiles {
    /** Cumulative CPU time in ns (v1 cpuacct.usage) or a cpu.stat with usage_usec (v2). */
    cpu: string;
    cpuFormat: "ns" | "cpu.stat";
    memory: string;
    memoryStat: string;
}

/** Finds the cgroup (v1 or v2, cgroupfs or systemd driver) of container `id`. */
function cgroupFiles(id: string): CgroupFiles | undefined {
    const v1 = ["docker/" + id, `system.slice/docker-${id}.scope`];
    for (const rel of v1) {
        const cpu = `/sys/fs/cgroup/cpuacct/${rel}/cpuacct.usage`;
        if (fs.existsSync(cpu)) {
            return { cpu, cpuFormat: "ns", memory: `/sys/fs/cgroup/memory/${rel}/memory.usage_in_bytes`, memoryStat: `/sys/fs/cgroup/memory/${rel}/memory.stat` };
        }
    }
    for (const rel of [`system.slice/docker-${id}.scope`, `docker/${id}`]) {
        const dir = `/sys/fs/cgroup/${rel}`;
        if (fs.existsSync(`${dir}/cpu.stat`)) return { cpu: `${dir}/cpu.stat`, cpuFormat: "cpu.stat", memory: `${dir}/memory.current`, memoryStat: `${dir}/memory.stat` };
    }
    return undefined;
}

function statField(text: string, key: string): number | undefined {
    const m = new RegExp(`^${key} (\\d+)$`, "m").exec(text);
    return m ? Number(m[1]) : undefined;
}

/** CPU time (ns) and working-set memory (bytes) of a container, read from its cgroup. */
async function readCgroup(files: CgroupFiles): Promise<{ cpuNs: number; memory: number }> {
    const [cpu, usage, stat] = await Promise.all([
        fs.promises.readFile(files.cpu, "utf8"),
        fs.promises.readFile(files.memory, "utf8"),
        fs.promises.readFile(files.memoryStat, "utf8"),
    ]);
    const cpuNs = files.cpuFormat === "ns" ? Number(cpu.trim()) : (statField(cpu, "usage_usec") ?? 0) * 1000;
    // Page cache is reclaimable; what matters is the working set (as `docker stats` shows it).
    const inactive = statField(stat, "total_inactive_file") ?? statField(stat, "inactive_file") ?? 0;
    return { cpuNs, memory: Math.max(0, Number(usage.trim()) - inactive) };
}

/**
 * Container CPU and memory. On a local engine they are read straight from the container's cgroup (well under a
 * millisecond); otherwise from the engine's stats API, which on older engines (20.10) takes a second per call even
 * with one-shot. CPU use is the container's CPU time over wall time between two samples of this probe, so the
 * first sample reports memory only.
 */
export function containerStatsProbe(spec: z.output<typeof ContainerStatsProbeSpec> & { name: string }): Probe {
    const docker = dockerClient();
    let files: CgroupFiles | undefined | null = null;
    let previous: { cpuNs: number; at: number } | undefined;

    async function read(): Promise<{ cpuNs: number; memory: number } | { stopped: true }> {
        if (files === null || files === undefined) {
            const info = await docker.getContainer(spec.container).inspect();
            if (!info.State.Running) return { stopped: true };
            files = cgroupFiles(info.Id);
        }
        if (files) {
            try {
                return await readCgroup(files);
            } catch (err) {
                // The cgroup disappears when the container stops; look it up again next time.
                files = null;
                if ((err as NodeJS.ErrnoException).code === "ENOENT") return { stopped: true };
                throw err;
            }
        }
        const s = await docker.getContainer(spec.container).stats({ stream: false, "one-shot": true });
        const stats = s.memory_stats.stats as Record<string, number> | undefined;
        const inactive = stats?.total_inactive_file ?? stats?.inactive_file ?? 0;
        return { cpuNs: s.cpu_stats.cpu_usage.total_usage, memory: Math.max(0, (s.memory_stats.usage ?? 0) - inactive) };
    }

    return timedProbe(
        spec,
        () => withTimeout(read(), spec.timeout),
        (r, latencyMs) => {
            if ("stopped" in r) {
                previous = undefined;
                return { ok: false, latencyMs, detail: "container is not running" };
            }
            const at = performance.now();
            const cpu = previous && at > previous.at ? Math.round(((r.cpuNs - previous.cpuNs) / ((at - previous.at) * 1e6)) * 1000) / 10 : undefined;
            previous = { cpuNs: r.cpuNs, at };
            const problems: string[] = [];
            if (spec.maxCpuPercent !== undefined && cpu !== undefined && cpu > spec.maxCpuPercent) problems.push(`CPU ${cpu}% > ${spec.maxCpuPercent}%`);
            if (spec.maxMemory !== undefined && r.memory > spec.maxMemory) problems.push(`memory ${r.memory} B > ${spec.maxMemory} B`);
            const seen = `CPU ${cpu === undefined ? "n/a (first sample)" : `${cpu}%`}, memory ${(r.memory / 1024 / 1024).toFixed(1)} MiB`;
            return { ok: problems.length === 0, latencyMs, ...(cpu !== undefined ? { value: cpu } : {}), detail: problems.length ? `${problems.join("; ")} (${seen})` : seen };
        },
        { failed: notFound(spec.container) },
    );
}
