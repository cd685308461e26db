import type { z } from "zod";
import type { SpecIssue } from "./errors";
import type { FaultOwner } from "./labels";

/** How a revert ended. Every outcome is a success: reverting is idempotent and never blocks a rollback. */
export type RevertOutcome =
    /** The fault was in place and is now undone. */
    | "reverted"
    /** Nothing to undo: someone (the reaper, a human, an earlier revert) already did it. */
    | "already-reverted"
    /** The target no longer exists, so there is nothing to restore. */
    | "target-gone";

/**
 * One outcome from the outcomes of a fault's targets (containers, cluster objects): "reverted" if anything was undone,
 * "target-gone" if every target is gone, else "already-reverted" (also for no targets: nothing was there to undo).
 */
export function overallOutcome(outcomes: readonly RevertOutcome[]): RevertOutcome {
    if (outcomes.includes("reverted")) return "reverted";
    if (outcomes.length > 0 && outcomes.every((o) => o === "target-gone")) return "target-gone";
    return "already-reverted";
}

/** What a driver may report while it works; the provider forwards it to Pulumi's diagnostics. */
export interface DriverContext {
    owner: FaultOwner;
    /**
     * When the fault's time-to-live runs out (epoch milliseconds), if the caller knows it. Drivers may bound what
     * they start by it as a second safety net besides the reaper (e.g. stress-ng's own --timeout).
     */
    expiresAt?: number;
    warn(message: string): void;
    info(message: string): void;
}

/** Something a fault will hit, as resolved at preview time: shown in the diff and checked by the policy pack. */
export interface PlannedTarget {
    /** Human name of the target (container name, pod, ARN). */
    name: string;
    /** The target's labels or tags, so policies can check opt-in labels. */
    labels: Record<string, string>;
    /**
     * Optional: what the target has of the resource the fault consumes, measured at preview, so the diff shows it
     * and the pack's bound policies (cpu-stress-workers, memory-stress-absolute, disk-fill-reserve) can check it.
     */
    capacity?: TargetCapacity;
}

/** A target's CPUs, memory limit or filesystem, as a stress or fill fault sees them (components/docker/bounds.ts). */
export interface TargetCapacity {
    /** CPUs the target may use: its CPU quota or cpuset, else the host's count. */
    cpus?: number;
    /** Where {@link cpus} comes from. */
    cpusFrom?: "quota" | "cpuset" | "host";
    /** The target's memory limit in bytes; 0 means none (the whole host's memory). */
    memoryLimitBytes?: number;
    /** The filesystem a disk fill writes to, and how much of it the fill takes. */
    filesystem?: FilesystemCapacity;
}

/** The filesystem holding a disk fill's directory, and the fill's share of it. */
export interface FilesystemCapacity {
    /** The directory inside the target. */
    path: string;
    /** Filesystem type (overlay, ext4, tmpfs, ...). */
    type: string;
    /** The host device or storage behind it, in words, e.g. `/dev/vda1` or `the Docker host's disk (overlay root)`. */
    device: string;
    /** True when filling it fills storage the host shares (its disk, or its memory for tmpfs). */
    hostShared: boolean;
    sizeBytes: number;
    freeBytes: number;
    /** Bytes kept free: `reservePercent` of the size. */
    reserveBytes: number;
    /** Bytes the fill will write: what the spec asks for. */
    fillBytes: number;
}

/** What `observe` sees on the target right now. */
export interface Observation {
    /** True while the fault is in effect on the target. */
    active: boolean;
    /** One line for humans: what was seen. */
    detail: string;
}

/**
 * One driver per fault kind, and the only code that touches the target for it. The dynamic provider (`up` and
 * `destroy`), the time-to-live reaper and `recover` all call the same three functions with the same record, so a
 * fault is undone the same way however its rollback is triggered.
 */
export interface FaultDriver<Spec = unknown, Rec = unknown, In = unknown> {
    /** `<target>:<fault>` in kebab case, e.g. `docker:network-disconnect`. Stored in state and in labels. */
    readonly kind: string;
    /**
     * Where the fault lives, which decides where its time-to-live reaper lives: a labelled container on the same
     * Docker engine, an in-cluster reaper, or the service's own duration (Chaos Mesh, AWS FIS).
     */
    readonly target: "docker" | "kubernetes" | "aws";
    /**
     * The spec's zod schema: the single source of truth for what the fault accepts. `In` is what a user writes
     * (z.input of the schema): it types the component's args, so it is declared with the driver.
     */
    readonly schema: z.ZodType<Spec, In>;
    /** One sentence for plans and previews: what this spec will break. */
    describe(spec: Spec): string;
    /**
     * Checks that every target the spec names exists and is in the state the fault needs (a running container, a
     * network the container is attached to, a Toxiproxy with that proxy), at preview time: first in the provider's
     * `check` and in the runner's plan, before the preflight, the plan and any policy. Says "no such container"
     * (network, proxy) as such. Return issues with paths under `spec`, e.g. `spec.network`. Every Docker kind has one.
     */
    checkTargets?(spec: Spec): Promise<SpecIssue[]>;
    /**
     * Optional checks against the live target that run at preview time (the provider's `check`), for problems
     * that must never wait for `up`, e.g. a kernel without netem. Return issues with paths under `spec`.
     */
    preflight?(spec: Spec): Promise<SpecIssue[]>;
    /**
     * Optional: resolves the spec's selector against the live target at preview time. The provider stores the
     * result as the resource's `targets` input, so `pulumi preview --diff` lists exactly what will be hit and the
     * policy pack can check it (opt-in labels, blast radius). Return [] when the target cannot be resolved yet.
     */
    plan?(spec: Spec): Promise<PlannedTarget[]>;
    /**
     * Optional, Docker drivers only: the network mode the fault's reaper container needs to reach what it reverts
     * through something other than the Docker socket, e.g. `container:<toxiproxy container>` to reach a Toxiproxy
     * API on its loopback. Defaults to "none": most reapers only talk to the engine.
     */
    reaperNetworkMode?(record: Rec): string;
    /**
     * First phase: reads the target and returns the complete plain-JSON revert record WITHOUT changing anything.
     * Whatever injection will create (a toxic's or helper's name, a fill file's path, a rule comment) is chosen here,
     * deterministically from `ctx.owner`, so the record names it before it exists. The provider arms the reaper with
     * this record, and only then calls `apply`: there is no moment at which the fault is in and no reaper guards it.
     */
    prepare(spec: Spec, ctx: DriverContext): Promise<Rec>;
    /**
     * Second phase: changes the target as `record` describes. It may fill in details the revert does not need (what
     * it killed, how much it wrote) for the state Pulumi records; the reaper's copy is the one `prepare` returned.
     */
    apply(record: Rec, ctx: DriverContext): Promise<void>;
    /**
     * Undoes the fault described by `record`. Idempotent: reverting twice, or after someone else did, is a no-op;
     * so is reverting a record whose `apply` never ran, and a half-applied fault (killed in the middle of `apply`)
     * is undone as far as it went.
     */
    revert(record: Rec, ctx: DriverContext): Promise<RevertOutcome>;
    /** Looks at the target and says whether the fault is still in effect. */
    observe(record: Rec): Promise<Observation>;
}

/**
 * `prepare`, then `apply`, with no reaper in between: for callers that revert themselves (tests, benchmarks). If
 * `apply` fails, what it did is reverted before the error is rethrown, as the provider does.
 */
export async function prepareThenApply<Spec, Rec>(driver: FaultDriver<Spec, Rec>, spec: Spec, ctx: DriverContext): Promise<Rec> {
    const record = await driver.prepare(spec, ctx);
    try {
        await driver.apply(record, ctx);
    } catch (err) {
        await driver.revert(record, ctx).catch(() => undefined);
        throw err;
    }
    return record;
}
