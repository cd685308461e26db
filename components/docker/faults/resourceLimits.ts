import { z } from "zod";
import { dockerClient, inspectContainer } from "../../core/docker";
import { overallOutcome, type DriverContext, type FaultDriver, type Observation, type RevertOutcome } from "../../core/driver";
import type { SpecIssue } from "../../core/errors";
import { FaultError } from "../../core/errors";
import { gone, inspectSelected, nameOf, namesOf, type ContainerRef } from "../containers";
import { containerTarget, describeSelector, planContainers } from "../selector";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** Docker's smallest memory limit. */
const MIN_MEMORY = 6 * 1024 ** 2;
/** The kernel's default CFS period (100 ms), which a container without `CpuPeriod` has. */
const DEFAULT_CPU_PERIOD = 100_000;
/**
 * What cgroup v1 reads as "no memory limit" (PAGE_COUNTER_MAX pages). Docker's update API takes 0 as "leave as it
 * is" and refuses -1 for memory, so an unset limit is restored by writing this value, which the kernel clamps to
 * exactly the unlimited it had: the cgroup reads the same as before, `docker inspect` shows the number.
 */
export const UNLIMITED_MEMORY = 9223372036854771712;

/** A size in bytes: a number, or a string with a unit b, k, m or g (powers of 1024), as `docker run -m` takes. */
export const ByteSize = z
    .union([z.number(), z.string()], { error: 'must be a size such as "256m", "1g" or a number of bytes' })
    .transform((v, ctx) => {
        const m = typeof v === "number" ? null : /^(\d+(?:\.\d+)?)\s*([bkmg])?$/i.exec(v.trim());
        const bytes = typeof v === "number" ? v : m ? Math.round(Number(m[1]) * UNITS[(m[2] ?? "b").toLowerCase()]!) : NaN;
        if (!Number.isSafeInteger(bytes)) {
            ctx.addIssue({ code: "custom", message: `"${v}" is not a size; write it like "256m", "1g", "512k" or a whole number of bytes` });
            return z.NEVER;
        }
        if (bytes < MIN_MEMORY) {
            ctx.addIssue({ code: "custom", message: "must be at least 6m: Docker's smallest memory limit" });
            return z.NEVER;
        }
        return bytes;
    });

/** Spec of a resource squeeze: new CPU and/or memory limits on the selected containers (`docker update`) for the TTL. */
export const ResourceLimitsSpec = z
    .object({
        /** Which running containers to squeeze, and how many of them (blast radius). */
        target: containerTarget('which containers to limit, e.g. { name: "web" }'),
        /**
         * CPU time as a number of CPUs, e.g. 0.5, like `docker update --cpus`. Applied as a CFS quota over the
         * container's period, or as NanoCpus when the container was created with `--cpus`.
         */
        cpus: z.number({ error: "must be a number of CPUs, e.g. 0.5" }).min(0.01, "must be at least 0.01").optional(),
        /** CFS quota in microseconds per period (at least 1000), like `docker update --cpu-quota`. */
        cpuQuota: z.number({ error: "must be a number of microseconds" }).int("must be a whole number of microseconds").min(1000, "must be at least 1000 (1 ms)").optional(),
        /** CFS period in microseconds (1000 to 1000000), like `docker update --cpu-period`. */
        cpuPeriod: z
            .number({ error: "must be a number of microseconds" })
            .int("must be a whole number of microseconds")
            .min(1000, "must be at least 1000 (1 ms)")
            .max(1_000_000, "must be at most 1000000 (1 s)")
            .optional(),
        /** CPUs the container may run on, e.g. "0" or "0-1,3", like `docker update --cpuset-cpus`. */
        cpusetCpus: z
            .string({ error: 'must be a list of CPUs such as "0" or "0-1,3"' })
            .regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, 'must be a list of CPUs such as "0" or "0-1,3"')
            .optional(),
        /** Memory limit, e.g. "64m", like `docker update --memory`; at least 6m. */
        memory: ByteSize.optional(),
        /** Memory plus swap, at least `memory`. Defaults to `memory` (no swap), so the squeeze is not softened by swap. */
        memorySwap: ByteSize.optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.cpus === undefined && s.cpuQuota === undefined && s.cpuPeriod === undefined && s.cpusetCpus === undefined && s.memory === undefined) {
            ctx.addIssue({ code: "custom", message: "give at least one limit to change: cpus, cpuQuota, cpuPeriod, cpusetCpus or memory" });
        }
        if (s.cpus !== undefined && (s.cpuQuota !== undefined || s.cpuPeriod !== undefined)) {
            ctx.addIssue({
                code: "custom",
                path: ["cpus"],
                message: "cpus and cpuQuota/cpuPeriod set the same CFS limit; give either cpus, or cpuQuota with an optional cpuPeriod",
            });
        }
        if (s.memorySwap !== undefined && s.memory === undefined) {
            ctx.addIssue({ code: "custom", path: ["memorySwap"], message: "needs memory: Docker changes swap only together with memory" });
        }
        if (s.memorySwap !== undefined && s.memory !== undefined && s.memorySwap < s.memory) {
            ctx.addIssue({ code: "custom", path: ["memorySwap"], message: "must be at least memory: it is memory plus swap" });
        }
    });
export type ResourceLimitsSpec = z.infer<typeof ResourceLimitsSpec>;

/** The HostConfig fields this fault reads and writes, with Docker's names. */
export interface Limits {
    CpuQuota?: number;
    CpuPeriod?: number;
    NanoCpus?: number;
    CpusetCpus?: string;
    Memory?: number;
    MemorySwap?: number;
}

/** One squeezed container: its exact limits before, the update the fault sent, and the update that restores. */
export interface LimitedContainer extends ContainerRef {
    /** Every field of {@link Limits} exactly as `docker inspect` showed it before the fault (0 = unset). */
    prior: Required<Limits>;
    /** The `docker update` body the fault sent. */
    applied: Limits;
    /** The `docker update` body that restores `prior` (see {@link restoreOf} for how unset values are written). */
    restore: Limits;
}

/** What a resource squeeze changed, container by container. */
export interface ResourceLimitsRecord {
    containers: LimitedContainer[];
}

/** Fields Docker updates together (memory and swap must go as a pair); each group is restored all or nothing. */
const GROUPS: (keyof Limits)[][] = [["CpuQuota"], ["CpuPeriod"], ["NanoCpus"], ["CpusetCpus"], ["Memory", "MemorySwap"]];

function limitsOf(h: Record<string, unknown>): Required<Limits> {
    return {
        CpuQuota: Number(h.CpuQuota ?? 0),
        CpuPeriod: Number(h.CpuPeriod ?? 0),
        NanoCpus: Number(h.NanoCpus ?? 0),
        CpusetCpus: String(h.CpusetCpus ?? ""),
        Memory: Number(h.Memory ?? 0),
        MemorySwap: Number(h.MemorySwap ?? 0),
    };
}

/**
 * The update that puts `prior` back for the fields in `applied`. Docker's update API reads 0 (and "") as "leave as
 * it is", so a value that was unset is written as the kernel's own default instead, which leaves the cgroup exactly
 * as it was: quota -1 (no limit), period 100000, every CPU, and {@link UNLIMITED_MEMORY}. Swap that was unset or
 * -1 is written as UNLIMITED_MEMORY too, because Docker stores -1 without writing it to the cgroup.
 */
export function restoreOf(prior: Required<Limits>, applied: Limits, cpuCount: number): Limits {
    const r: Limits = {};
    if (applied.CpuQuota !== undefined) r.CpuQuota = prior.CpuQuota !== 0 ? prior.CpuQuota : -1;
    if (applied.CpuPeriod !== undefined) r.CpuPeriod = prior.CpuPeriod || DEFAULT_CPU_PERIOD;
    if (applied.NanoCpus !== undefined) r.NanoCpus = prior.NanoCpus;
    if (applied.CpusetCpus !== undefined) r.CpusetCpus = prior.CpusetCpus || (cpuCount > 1 ? `0-${cpuCount - 1}` : "0");
    if (applied.Memory !== undefined) {
        r.Memory = prior.Memory || UNLIMITED_MEMORY;
        r.MemorySwap = prior.MemorySwap > 0 ? prior.MemorySwap : UNLIMITED_MEMORY;
    }
    return r;
}

/** The update a spec makes on a container with limits `prior`. */
function appliedOf(spec: ResourceLimitsSpec, prior: Required<Limits>, name: string): Limits {
    const a: Limits = {};
    if (spec.cpus !== undefined) {
        // Docker refuses to mix NanoCpus with a quota or period, and cannot unset NanoCpus once set: use the form
        // the container already has, so the fault can always be undone exactly.
        if (prior.NanoCpus > 0) a.NanoCpus = Math.round(spec.cpus * 1e9);
        else a.CpuQuota = Math.round(spec.cpus * (prior.CpuPeriod || DEFAULT_CPU_PERIOD));
    }
    if (spec.cpuQuota !== undefined || spec.cpuPeriod !== undefined) {
        if (prior.NanoCpus > 0) {
            throw new FaultError(
                spec.cpuQuota !== undefined ? "spec.cpuQuota" : "spec.cpuPeriod",
                `container "${name}" has its CPU limit set with --cpus (NanoCpus ${prior.NanoCpus}), which Docker does not ` +
                    "let a quota or period change; use spec.cpus instead",
            );
        }
        if (spec.cpuQuota !== undefined) a.CpuQuota = spec.cpuQuota;
        if (spec.cpuPeriod !== undefined) a.CpuPeriod = spec.cpuPeriod;
    }
    if (spec.cpusetCpus !== undefined) a.CpusetCpus = spec.cpusetCpus;
    if (spec.memory !== undefined) {
        a.Memory = spec.memory;
        a.MemorySwap = spec.memorySwap ?? spec.memory;
    }
    return a;
}

/** The spec field a failed `docker update` is most likely about, for the error message. */
function fieldOf(message: string, applied: Limits): string {
    if (/memory|swap/i.test(message) && applied.Memory !== undefined) return "spec.memory";
    if (/cpuset|CPUs are not available/i.test(message) && applied.CpusetCpus !== undefined) return "spec.cpusetCpus";
    if (/cpu|quota|period/i.test(message)) return applied.NanoCpus !== undefined ? "spec.cpus" : "spec.cpuQuota";
    return "spec.target";
}

async function update(c: ContainerRef, body: Limits): Promise<void> {
    try {
        await dockerClient().getContainer(c.id).update(body);
    } catch (err) {
        const message = (err as { json?: { message?: string } }).json?.message ?? String(err);
        throw new FaultError(fieldOf(message, body), `docker update of container "${c.name}" with ${JSON.stringify(body)} failed: ${message}`);
    }
}

/** True when every field of `keys` currently has the value in `want`. */
function holds(current: Required<Limits>, want: Limits, keys: (keyof Limits)[]): boolean {
    return keys.every((k) => current[k] === want[k]);
}

/** The first CPU index in a cpuset list ("0-1,3") that does not exist on a host with `count` CPUs. */
function missingCpu(list: string, count: number): number | undefined {
    for (const part of list.split(",")) {
        const [a, b] = part.split("-").map(Number);
        const hi = b ?? a!;
        if (hi >= count) return hi;
    }
    return undefined;
}

export const driver: FaultDriver<ResourceLimitsSpec, ResourceLimitsRecord, z.input<typeof ResourceLimitsSpec>> = {
    kind: "docker:resource-limits",
    target: "docker",
    schema: ResourceLimitsSpec,

    describe(spec) {
        const what = [
            spec.cpus !== undefined ? `${spec.cpus} CPUs` : "",
            spec.cpuQuota !== undefined ? `CPU quota ${spec.cpuQuota}µs` : "",
            spec.cpuPeriod !== undefined ? `CPU period ${spec.cpuPeriod}µs` : "",
            spec.cpusetCpus !== undefined ? `CPUs ${spec.cpusetCpus} only` : "",
            spec.memory !== undefined ? `memory ${spec.memory} bytes (with swap ${spec.memorySwap ?? spec.memory})` : "",
        ].filter(Boolean);
        return `limit ${describeSelector(spec.target)} to ${what.join(", ")}`;
    },

    async preflight(spec): Promise<SpecIssue[]> {
        const issues: SpecIssue[] = [];
        if (spec.cpus === undefined && spec.cpusetCpus === undefined) return issues;
        const cpuCount = (await dockerClient().info()).NCPU as number;
        if (spec.cpus !== undefined && spec.cpus > cpuCount) {
            issues.push({ path: "spec.cpus", message: `the Docker host has only ${cpuCount} CPUs; give at most ${cpuCount}` });
        }
        const missing = spec.cpusetCpus !== undefined ? missingCpu(spec.cpusetCpus, cpuCount) : undefined;
        if (missing !== undefined) {
            issues.push({ path: "spec.cpusetCpus", message: `CPU ${missing} does not exist: the Docker host has CPUs 0-${cpuCount - 1}` });
        }
        return issues;
    },

    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => planContainers(spec.target),

    async prepare(spec) {
        const cpuCount = (await dockerClient().info()).NCPU as number;
        const containers = (await inspectSelected(spec.target)).map((info): LimitedContainer => {
            const name = nameOf(info);
            const prior = limitsOf(info.HostConfig as unknown as Record<string, unknown>);
            const applied = appliedOf(spec, prior, name);
            return { id: info.Id, name, prior, applied, restore: restoreOf(prior, applied, cpuCount) };
        });
        return { containers };
    },

    async apply(record) {
        await Promise.all(record.containers.map((c) => update(c, c.applied)));
    },

    async revert(record, ctx): Promise<RevertOutcome> {
        const outcomes = await Promise.all(record.containers.map((c) => revertOne(c, ctx)));
        return overallOutcome(outcomes);
    },

    async observe(record): Promise<Observation> {
        const infos = await Promise.all(record.containers.map((c) => inspectContainer(c.id)));
        const squeezed = record.containers.filter((c, i) => {
            const info = infos[i];
            if (!info) return false;
            const current = limitsOf(info.HostConfig as unknown as Record<string, unknown>);
            return GROUPS.some((keys) => c.applied[keys[0]!] !== undefined && holds(current, c.applied, keys));
        });
        return squeezed.length > 0
            ? { active: true, detail: `limits in place on: ${namesOf(squeezed)}` }
            : { active: false, detail: `limits restored (or changed since) on: ${namesOf(record.containers)}` };
    },
};

/**
 * Restores one container, group by group. A group that no longer holds the fault's values was changed by someone
 * else since (or already restored): it is left as it is, so a revert never undoes someone else's change.
 */
async function revertOne(c: LimitedContainer, ctx: DriverContext): Promise<RevertOutcome> {
    const info = await inspectContainer(c.id);
    if (!info) return gone(c, ctx, "restore limits on");
    const current = limitsOf(info.HostConfig as unknown as Record<string, unknown>);
    const body: Limits = {};
    for (const keys of GROUPS) {
        if (c.applied[keys[0]!] === undefined) continue;
        if (holds(current, c.applied, keys)) {
            for (const k of keys) (body as Record<string, unknown>)[k] = c.restore[k];
        } else if (!holds(current, c.restore, keys) && !holds(current, c.prior, keys)) {
            ctx.warn(
                `container "${c.name}": ${keys.join("/")} changed since the fault (now ${keys.map((k) => current[k]).join("/")}); left as it is`,
            );
        }
    }
    if (Object.keys(body).length === 0) return "already-reverted";
    await update(c, body);
    return "reverted";
}

/**
 * A resource squeeze: new CPU and memory limits on running containers (`docker update`), for the TTL.
 *
 * `pulumi up` records every limit exactly as `docker inspect` shows it, then updates the container.
 * `pulumi destroy`, or the reaper after `ttl`, writes the previous limits back (memory together with swap, so
 * Docker's memory ≤ memory+swap rule holds in either direction). Docker's update API cannot write 0 ("unset"), so
 * an unset limit is written as the kernel's own unlimited value: the cgroup reads exactly as before, while
 * `docker inspect` shows -1 for CpuQuota and 9223372036854771712 for Memory and MemorySwap instead of 0.
 * A limit someone else changed since the fault is left as they set it.
 *
 * ```ts
 * new ResourceLimits("api-squeeze", { target: { name: "api" }, cpus: 0.2, memory: "64m", ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "resource-pressure",
    component: "ResourceLimits",
    up: "`docker update` of CPU quota/period, cpuset, memory, swap",
    revert: "restores the previous values (unset comes back as the kernel's unlimited)",
    docs: "[containers](docs/container-faults.md)",
    module: __filename,
    driver,
    fields: (spec) => ({ target: spec.target }),
});
