import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, displayName, isFault, type FaultProps } from "./util";

// Faults whose effect reaches past their target into the host. The provider enforces the same bounds at preview
// (components/docker/bounds.ts); these policies keep them visible in review, from what the preview measured: each
// resolved target's `capacity` (CPUs, memory limit, filesystem).

/** A resolved target of a fault with what the preview measured of it. */
interface MeasuredTarget {
    name: string;
    capacity?: {
        cpus?: number;
        cpusFrom?: string;
        memoryLimitBytes?: number;
        filesystem?: { path: string; device: string; freeBytes: number; reserveBytes: number; fillBytes: number };
    };
}

/** The fault's props when it is of `kind`, else undefined. */
function faultOfKind(args: { type: string; props: Record<string, any> }, kind: string): (FaultProps & { targets?: MeasuredTarget[] }) | undefined {
    return isFault(args) && args.props.kind === kind ? (args.props as FaultProps & { targets?: MeasuredTarget[] }) : undefined;
}

/** cpu-stress runs at most one worker per CPU its target may use. */
export const cpuStressWorkers: ResourceValidationPolicy = {
    name: "cpu-stress-workers",
    description: "A cpu-stress fault runs at most one worker per CPU its target may use (its CPU quota or cpuset, else the host's).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Lower spec.workers to the target's CPU count, or give the container a CPU limit (`docker run --cpus 1`) and stress within it.",
    validateResource: (args, reportViolation) => {
        const f = faultOfKind(args, "docker:cpu-stress");
        if (!f) return;
        const workers = Number(f.spec?.workers ?? 1);
        for (const t of f.targets ?? []) {
            const cpus = t.capacity?.cpus;
            if (cpus === undefined) continue;
            const max = Math.max(1, Math.ceil(cpus - 1e-9));
            if (workers > max) {
                reportViolation(`fault "${displayName(args)}" runs ${workers} CPU workers on "${t.name}", which may use ${cpus} CPU(s); at most one worker per CPU (${max}) is allowed`);
            }
        }
    },
};

/** memory-stress on a container without a memory limit gives an absolute size. */
export const memoryStressAbsolute: ResourceValidationPolicy = {
    name: "memory-stress-absolute",
    description: "A memory-stress fault on a container without a memory limit gives an absolute size, never a percentage of the host.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: 'Give spec.bytes (e.g. "256MiB") instead of spec.percent, or give the container a memory limit (`docker run --memory 512m`).',
    validateResource: (args, reportViolation) => {
        const f = faultOfKind(args, "docker:memory-stress");
        if (!f || f.spec?.percent === undefined) return;
        for (const t of f.targets ?? []) {
            if (t.capacity && !t.capacity.memoryLimitBytes) {
                reportViolation(`fault "${displayName(args)}" holds ${f.spec.percent}% of the memory of "${t.name}", which has no memory limit; without a limit only an absolute size (spec.bytes) is allowed`);
            }
        }
    },
};

/** Configuration of {@link diskFillReserve}. */
export interface DiskFillReserveConfig {
    /** The least share of the filesystem's size, in percent, a fill must leave free. */
    minReservePercent: number;
}

/** disk-fill leaves a reserve of the filesystem it fills free. */
export const diskFillReserve: ResourceValidationPolicy = {
    name: "disk-fill-reserve",
    description: "A disk-fill fault leaves at least 10% (configurable) of the filesystem it fills free.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Raise spec.reservePercent to the minimum and lower spec.bytes or spec.percent so the fill fits above the reserve.",
    configSchema: { properties: { minReservePercent: { type: "number", minimum: 0, maximum: 90, default: 10 } } },
    validateResource: (args, reportViolation) => {
        const f = faultOfKind(args, "docker:disk-fill");
        if (!f) return;
        const { minReservePercent } = configOf<DiskFillReserveConfig>(args, { minReservePercent: 10 });
        const name = displayName(args);
        const reserve = Number(f.spec?.reservePercent ?? 10);
        if (reserve < minReservePercent) {
            reportViolation(`fault "${name}" keeps ${reserve}% of the filesystem free (spec.reservePercent); a disk fill must keep at least ${minReservePercent}%`);
        }
        for (const t of f.targets ?? []) {
            const fs = t.capacity?.filesystem;
            if (fs && fs.fillBytes > Math.max(0, fs.freeBytes - fs.reserveBytes)) {
                reportViolation(
                    `fault "${name}" writes ${fs.fillBytes} bytes into ${fs.path} of "${t.name}" on ${fs.device}, which has ${fs.freeBytes} bytes free; ` +
                        `a disk fill must leave its reserve (${fs.reserveBytes} bytes) free`,
                );
            }
        }
    },
};
