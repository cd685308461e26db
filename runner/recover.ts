// Finding and rolling back faults that a crashed run left behind: stacks that still hold faults, and Docker reaper
// containers whose fault Pulumi no longer knows (an `up` killed between inject and the state write).
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { dockerClient, isNotFound } from "../components/core/docker";
import type { DriverContext, RevertOutcome } from "../components/core/driver";
import { STANDBY_KIND } from "../components/core/labels";
import { armedFaults, reaper as dockerReaper } from "../components/docker/reaper";
import { driverFor } from "../components/registry";
import { lockHolder } from "./lock";
import { liveResources, openStack, pendingOperations, projectWorkspace, repairKilledCheckpoint } from "./pulumi";

/** The Pulumi project name (Pulumi.yaml), which every fault's labels carry. */
export const PROJECT_NAME = "faultline";

/** A fault armed in a Docker reaper, as `recover` sees it. */
export interface ReaperInfo {
    /** The fault's Pulumi id ("" for a reaper with nothing armed, about to retire). */
    id: string;
    /** The reaper container that guards it. */
    name: string;
    stack: string;
    fault: string;
    kind: string;
    expiresAt: string;
}

/** What happened to one reaper's fault. */
export interface ReaperOutcome extends ReaperInfo {
    outcome: RevertOutcome | "failed" | "skipped";
    detail: string;
}

/**
 * Lists the faults armed in this project's reapers, optionally of one stack. Experiments' standbys are left out:
 * they guard nothing, leave with their stack's destroy, and end on their own at their deadline.
 */
export async function listReapers(stack?: string): Promise<ReaperInfo[]> {
    const armed = await armedFaults({ project: PROJECT_NAME, ...(stack ? { stack } : {}) });
    return armed.filter((a) => a.kind !== STANDBY_KIND).map((a) => ({
        id: a.id,
        name: a.reaperName,
        stack: a.owner.stack,
        fault: a.owner.fault,
        kind: a.kind,
        expiresAt: a.expiresAt ? new Date(a.expiresAt).toISOString() : "",
    }));
}

/**
 * Reverts an armed fault now, with the same driver and record its reaper would use at the deadline, then disarms it
 * (a reaper left with nothing to guard retires). Idempotent like the driver's revert.
 */
export async function revertReaper(reaper: ReaperInfo, log: (m: string) => void = () => undefined): Promise<ReaperOutcome> {
    const armed = (await armedFaults({ project: PROJECT_NAME, stack: reaper.stack })).find((a) => a.id === reaper.id && a.reaperName === reaper.name);
    if (!armed) return { ...reaper, outcome: "already-reverted", detail: "the reaper already reverted it" };
    if (!armed.id) {
        // Nothing armed: a reaper about to retire. Removing it is all there is to do.
        await dockerClient().getContainer(armed.reaperName).remove({ force: true }).catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
        });
        return { ...reaper, outcome: "already-reverted", detail: "an idle reaper, removed" };
    }
    const ctx: DriverContext = { owner: armed.owner, warn: (m) => log(`warning: ${m}`), info: log };
    try {
        // An experiment's standby holds no fault: disarming it is all there is.
        const outcome = armed.kind === STANDBY_KIND ? "reverted" : await driverFor(armed.kind).revert(armed.record, ctx);
        await dockerReaper.disarm(armed.id, armed.owner);
        return { ...reaper, outcome, detail: `${armed.kind} "${reaper.fault}" of stack ${reaper.stack}: ${outcome}; disarmed` };
    } catch (err) {
        return { ...reaper, outcome: "failed", detail: `revert failed (the reaper keeps it and retries at ${reaper.expiresAt}): ${String(err)}` };
    }
}

/** Destroys a stack's faults: clears pending creates when there are any, destroys, checks nothing is left. */
export async function destroyFaults(
    stack: Stack,
    opts: { clearPending?: boolean; onEvent?: (e: EngineEvent) => void } = {},
): Promise<{ clearedPendingCreates: boolean; left: number }> {
    let cleared = false;
    if (opts.clearPending || (await pendingOperations(stack)) > 0) {
        await stack.refresh({ clearPendingCreates: true });
        cleared = true;
    }
    await stack.destroy(opts.onEvent ? { onEvent: opts.onEvent } : {});
    return { clearedPendingCreates: cleared, left: (await liveResources(stack)).length };
}

/** Options of {@link recover}. */
export interface RecoverOptions {
    /** Only this stack. Defaults to every stack of the project in this backend. */
    stack?: string;
    /**
     * Also revert reapers of stacks this backend does not know. Off by default: on a shared Docker engine, other
     * checkouts (other backends) have stacks of their own, whose live faults are not ours to end.
     */
    includeUnknownStacks?: boolean;
    /** List what would be done, change nothing. */
    dryRun?: boolean;
    onEvent?: (message: string) => void;
}

/** What `recover` found and did. */
export interface RecoverReport {
    stacks: Array<{ stack: string; resources: number; action: "destroyed" | "skipped-locked" | "failed" | "would-destroy"; detail: string }>;
    reapers: ReaperOutcome[];
}

/**
 * Finds faults left by crashed runs and rolls them back: stacks of this project that still hold faults and are
 * not locked by a live run are destroyed (pending creates cleared first); then reapers whose stack holds no fault
 * any more are reverted through their driver and removed.
 */
export async function recover(opts: RecoverOptions = {}): Promise<RecoverReport> {
    const log = opts.onEvent ?? (() => undefined);
    const report: RecoverReport = { stacks: [], reapers: [] };
    // A crashed run may have left a checkpoint no command can load; listing the stacks would fail on it.
    for (const file of repairKilledCheckpoint()) log(`repaired ${file} (left empty by a killed pulumi)`);
    const ws = await projectWorkspace();
    const stacks = (await ws.listStacks()).filter((s) => !opts.stack || s.name === opts.stack);
    const known = new Set(stacks.map((s) => s.name));
    const stillHolding = new Set<string>();

    for (const s of stacks) {
        const count = s.resourceCount ?? 0;
        // A stack with only its root resource (and providers) holds no fault; resourceCount counts them too.
        if (count <= 1) continue;
        const holder = lockHolder(s.name);
        if (holder) {
            report.stacks.push({ stack: s.name, resources: count, action: "skipped-locked", detail: `locked by pid ${holder.pid} (${holder.command})` });
            stillHolding.add(s.name);
            continue;
        }
        const stack = await openStack(s.name);
        const live = await liveResources(stack);
        if (live.length === 0 && (await pendingOperations(stack)) === 0) continue;
        if (opts.dryRun) {
            report.stacks.push({ stack: s.name, resources: live.length, action: "would-destroy", detail: live.map((r) => r.urn.split("::").pop()).join(", ") });
            stillHolding.add(s.name);
            continue;
        }
        log(`destroying the faults of stack ${s.name} (${live.length} resources)`);
        try {
            const r = await destroyFaults(stack);
            if (r.left > 0) stillHolding.add(s.name);
            report.stacks.push({
                stack: s.name,
                resources: live.length,
                action: r.left === 0 ? "destroyed" : "failed",
                detail: r.left === 0 ? `destroyed${r.clearedPendingCreates ? " (pending creates cleared first)" : ""}` : `${r.left} resources left`,
            });
        } catch (err) {
            stillHolding.add(s.name);
            report.stacks.push({ stack: s.name, resources: live.length, action: "failed", detail: String(err).split("\n")[0]! });
        }
    }

    for (const reaper of await listReapers(opts.stack)) {
        const unknown = !known.has(reaper.stack);
        if (stillHolding.has(reaper.stack) || lockHolder(reaper.stack)) {
            report.reapers.push({ ...reaper, outcome: "skipped", detail: "its stack still holds the fault (or a run holds the stack); it fires at its deadline" });
            continue;
        }
        if (unknown && !opts.includeUnknownStacks) {
            report.reapers.push({ ...reaper, outcome: "skipped", detail: `stack "${reaper.stack}" is not in this backend; use --include-unknown-stacks to revert it anyway` });
            continue;
        }
        if (opts.dryRun) {
            report.reapers.push({ ...reaper, outcome: "skipped", detail: "dry run: would revert and remove" });
            continue;
        }
        log(`reverting orphaned fault "${reaper.fault}" (${reaper.kind}) of stack ${reaper.stack}`);
        report.reapers.push(await revertReaper(reaper, log));
    }
    return report;
}
