// Bounds on faults whose effect reaches past their target into the host: CPU workers beyond the target's CPUs, a
// memory percentage of "no limit" (the whole host), a disk fill of a filesystem the host shares. Each is measured
// at preview (the drivers' `plan`, shown in the diff as the target's `capacity`) and enforced there (`preflight`,
// a field-named issue with the fix); the pack's bound policies check the same capacity (policies/bounds.ts).
import type Docker from "dockerode";
import { dockerClient } from "../core/docker";
import type { FilesystemCapacity, PlannedTarget, TargetCapacity } from "../core/driver";
import type { SpecIssue } from "../core/errors";
import type { FaultOwner } from "../core/labels";
import { formatBytes } from "../../spec/units";
import { runScriptOnTarget } from "./helper";
import { selectContainers, type ContainerSelector, type SelectedContainer } from "./selector";

/** A planned target with what was measured of it. */
export type MeasuredTarget = PlannedTarget & { capacity: TargetCapacity };

/** The selected containers with `measure`'s capacity, or [] when nothing matches yet (inject reports that). */
export async function measureTargets(
    selector: ContainerSelector,
    measure: (c: SelectedContainer) => Promise<TargetCapacity>,
): Promise<MeasuredTarget[]> {
    let selected: SelectedContainer[];
    try {
        selected = await selectContainers(selector, "spec.target");
    } catch {
        return [];
    }
    return Promise.all(selected.map(async (c) => ({ name: c.name, labels: c.labels, capacity: await measure(c) })));
}

/** The CPUs in a cpuset such as "0-3,6" (4 + 1 = 5). */
export function cpusetSize(cpuset: string): number {
    let n = 0;
    for (const part of cpuset.split(",").map((p) => p.trim()).filter(Boolean)) {
        const [a, b] = part.split("-").map(Number);
        n += b === undefined ? 1 : (b as number) - (a as number) + 1;
    }
    return n;
}

/** The CPUs a container may use: the tightest of its quota (NanoCpus or CpuQuota/CpuPeriod) and cpuset, else the host's. */
export function cpusOf(host: Pick<Docker.ContainerInspectInfo["HostConfig"], "NanoCpus" | "CpuQuota" | "CpuPeriod" | "CpusetCpus">, hostCpus: number): Pick<TargetCapacity, "cpus" | "cpusFrom"> {
    const limits: Array<{ cpus: number; cpusFrom: "quota" | "cpuset" }> = [];
    if (host.NanoCpus) limits.push({ cpus: host.NanoCpus / 1e9, cpusFrom: "quota" });
    if (host.CpuQuota && host.CpuQuota > 0) limits.push({ cpus: host.CpuQuota / (host.CpuPeriod || 100_000), cpusFrom: "quota" });
    if (host.CpusetCpus) limits.push({ cpus: cpusetSize(host.CpusetCpus), cpusFrom: "cpuset" });
    const tightest = limits.sort((a, b) => a.cpus - b.cpus)[0];
    return tightest ?? { cpus: hostCpus, cpusFrom: "host" };
}

/** Measures a container's CPUs (cpu-stress). */
export async function cpuCapacity(c: Pick<SelectedContainer, "id">): Promise<TargetCapacity> {
    const docker = dockerClient();
    const [info, engine] = await Promise.all([docker.getContainer(c.id).inspect(), docker.info() as Promise<{ NCPU: number }>]);
    return cpusOf(info.HostConfig, engine.NCPU);
}

/** Measures a container's memory limit (memory-stress); 0 is no limit. */
export async function memoryCapacity(c: Pick<SelectedContainer, "id">): Promise<TargetCapacity> {
    const info = await dockerClient().getContainer(c.id).inspect();
    return { memoryLimitBytes: info.HostConfig.Memory ?? 0 };
}

/** The most CPU workers worth running on `cpus` CPUs: one per CPU, a fraction counting as one. */
export function maxWorkers(cpus: number): number {
    return Math.max(1, Math.ceil(cpus - 1e-9));
}

/** cpu-stress: at most one worker per CPU the target may use. */
export function cpuWorkerIssues(workers: number, targets: readonly MeasuredTarget[]): SpecIssue[] {
    return targets.flatMap((t) => {
        const { cpus = 0, cpusFrom = "host" } = t.capacity;
        const max = maxWorkers(cpus);
        if (workers <= max) return [];
        const from = cpusFrom === "host" ? "the host's: it has no CPU quota or cpuset" : `its CPU ${cpusFrom}`;
        return [{ path: "spec.workers", message: `${workers} workers for "${t.name}", which may use ${cpus} CPU(s) (${from}); lower workers to at most ${max}, one per CPU keeps them all busy` }];
    });
}

/** memory-stress: a percentage needs a memory limit to be a percentage of; without one it would be of the host. */
export function memoryPercentIssues(percent: number | undefined, targets: readonly MeasuredTarget[]): SpecIssue[] {
    if (percent === undefined) return [];
    return targets
        .filter((t) => !t.capacity.memoryLimitBytes)
        .map((t) => ({
            path: "spec.percent",
            message:
                `"${t.name}" has no memory limit, so ${percent}% would be of the whole host's memory; give an absolute size ` +
                'in bytes instead (e.g. bytes: "256MiB"), or give the container a limit (`docker run --memory 512m`)',
        }));
}

// $1 root prefix ("" or /proc/1/root), $2 directory. Prints "avail bsize blocks type mountpoint source" of the
// filesystem holding the directory: stat -f for the numbers, the target's mountinfo (the longest mount point that
// contains the directory) for where it comes from. Exit 125 when stat is missing (runScriptOnTarget then uses a helper).
const FS_SCRIPT = `
command -v stat >/dev/null 2>&1 || exit 125
d="$2"; [ -d "$1$d" ] || { echo "no directory $d" >&2; exit 3; }
nums=$(stat -f -c '%a %S %b' "$1$d") || exit 125
mi=/proc/self/mountinfo; [ -n "$1" ] && mi=/proc/1/mountinfo
best=""; type=unknown; src=unknown
while read -r _id _parent _dev _root mp rest; do
  case "$d/" in "$mp"/*|"$mp/") ;; *) [ "$mp" = / ] || continue ;; esac
  [ "\${#mp}" -lt "\${#best}" ] && continue
  post="\${rest#* - }"; best="$mp"; type="\${post%% *}"; post="\${post#* }"; src="\${post%% *}"
done < "$mi"
echo "$nums $type \${best:-/} $src"
`;

/** Where a filesystem's space comes from, in words, and whether the host shares it. */
export function deviceOf(type: string, source: string, dockerRoot: string): Pick<FilesystemCapacity, "device" | "hostShared"> {
    if (type === "overlay") return { device: `the Docker host's disk under ${dockerRoot} (the container's overlay root)`, hostShared: true };
    if (type === "tmpfs") return { device: "the host's memory (tmpfs)", hostShared: true };
    if (source.startsWith("/dev/")) return { device: `${source} (a host disk: a bind mount or volume)`, hostShared: true };
    return { device: `${source} (${type})`, hostShared: false };
}

/** What a disk fill asks for, in bytes, given the free space it will find. */
export function fillBytesOf(spec: { bytes?: number | undefined; percent?: number | undefined }, freeBytes: number): number {
    return spec.bytes ?? Math.floor((freeBytes * (spec.percent ?? 0)) / 100);
}

/** Who the preview's helper containers belong to: there is no fault yet, so no stack-specific owner. */
const PREVIEW_OWNER: FaultOwner = { project: "faultline", stack: "preview", experiment: "preview", fault: "preview", kind: "docker:disk-fill" };

/** Measures the filesystem holding `dir` in a container, and what `spec` would write to it (disk-fill). */
export async function filesystemCapacity(
    c: Pick<SelectedContainer, "id" | "name">,
    dir: string,
    spec: { bytes?: number | undefined; percent?: number | undefined; reservePercent: number },
): Promise<TargetCapacity> {
    const r = await runScriptOnTarget(c, PREVIEW_OWNER, "disk-fill-plan", FS_SCRIPT, [dir]);
    const m = /^(\d+) (\d+) (\d+) (\S+) (\S+) (\S+)$/m.exec(r.stdout);
    if (r.exitCode !== 0 || !m) return {};
    const engine = (await dockerClient().info()) as { DockerRootDir?: string };
    const bsize = Number(m[2]);
    const freeBytes = Number(m[1]) * bsize;
    const sizeBytes = Number(m[3]) * bsize;
    const filesystem: FilesystemCapacity = {
        path: dir,
        type: m[4]!,
        ...deviceOf(m[4]!, m[6]!, engine.DockerRootDir ?? "/var/lib/docker"),
        sizeBytes,
        freeBytes,
        reserveBytes: Math.ceil((sizeBytes * spec.reservePercent) / 100),
        fillBytes: fillBytesOf(spec, freeBytes),
    };
    return { filesystem };
}

/** disk-fill: the fill must leave the reserve free. The issue names the field that asked too much and the fix. */
export function diskFillIssues(spec: { bytes?: number | undefined; percent?: number | undefined; reservePercent: number }, targets: readonly MeasuredTarget[]): SpecIssue[] {
    const issues: SpecIssue[] = [];
    for (const t of targets) {
        const fs = t.capacity.filesystem;
        if (!fs) continue;
        const fillable = Math.max(0, fs.freeBytes - fs.reserveBytes);
        if (fs.fillBytes <= fillable) continue;
        const where = `${fs.path} of "${t.name}" (${fs.type} on ${fs.device}: ${formatBytes(fs.freeBytes)} free of ${formatBytes(fs.sizeBytes)})`;
        const reserve = `the ${spec.reservePercent}% reserve (${formatBytes(fs.reserveBytes)})`;
        const pct = Math.floor((fillable / Math.max(1, fs.freeBytes)) * 100);
        const most =
            fillable === 0 || (spec.bytes === undefined && pct === 0)
                ? "free space first"
                : spec.bytes !== undefined
                  ? `lower bytes to at most ${formatBytes(fillable)}`
                  : `lower percent to at most ${pct}`;
        issues.push({
            path: spec.bytes !== undefined ? "spec.bytes" : "spec.percent",
            message: `writing ${formatBytes(fs.fillBytes)} into ${where} would leave less than ${reserve} free; ${most}, or lower reservePercent`,
        });
    }
    return issues;
}
