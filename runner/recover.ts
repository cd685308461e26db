// Finding and rolling back what a crashed run left behind: locks of dead processes, stacks that still hold faults or
// pending operations, faults armed in Docker reapers that Pulumi no longer knows (an `up` killed between arming and
// the state write), orphaned standbys, and reapers left stopped or created but never started. See docs/recover.md.
import { existsSync } from "node:fs";
import * as os from "node:os";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { dockerClient, isNotFound } from "../components/core/docker";
import type { DriverContext, RevertOutcome } from "../components/core/driver";
import { STANDBY_KIND } from "../components/core/labels";
import { armedFaults, reaper as dockerReaper, repairReapers, type ReaperRepair } from "../components/docker/reaper";
import { driverFor } from "../components/registry";
import { kubeApi, type KubeApi } from "../components/kubernetes/kubeApi";
import { listLeases, revertLease } from "../components/kubernetes/lease";
import { StackLockedError } from "./errors";
import { readProjectName } from "./env";
import { acquireLock, lockHolder, removeDeadLocks } from "./lock";
import { backendLocks, clearDeadBackendLocks, liveResources, openStack, pendingOperations, projectWorkspace, repairKilledCheckpoint, withoutCheckpoints, withoutResultReads } from "./pulumi";

/** A fault armed in a Docker reaper, as `recover` sees it. */
export interface ReaperInfo {
    /** The fault's Pulumi id ("" for a reaper with nothing armed, about to retire). */
    id: string;
    /** The reaper container that guards it. */
    name: string;
    /** The Pulumi project of its stack (faultline's own, or a user's project that uses the components). */
    project: string;
    stack: string;
    experiment: string;
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
 * Lists the faults armed in this project's reapers, optionally of one stack. Experiments' standbys are left out
 * unless asked for: they guard nothing, leave with their stack's destroy, and end on their own at their deadline.
 */
export async function listReapers(stack?: string, opts: { standbys?: boolean; allProjects?: boolean } = {}): Promise<ReaperInfo[]> {
    const armed = await armedFaults({ ...(opts.allProjects ? {} : { project: readProjectName() }), ...(stack ? { stack } : {}) });
    return armed.filter((a) => opts.standbys || a.kind !== STANDBY_KIND).map((a) => ({
        id: a.id,
        name: a.reaperName,
        project: a.owner.project,
        stack: a.owner.stack,
        experiment: a.owner.experiment,
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
    const armed = (await armedFaults({ project: reaper.project, stack: reaper.stack })).find((a) => a.id === reaper.id && a.reaperName === reaper.name);
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
        const what = armed.kind === STANDBY_KIND ? `the standby of experiment "${armed.owner.experiment}"` : `${armed.kind} "${reaper.fault}"`;
        return { ...reaper, outcome, detail: `${what} of stack ${reaper.stack}: ${armed.kind === STANDBY_KIND ? "expired" : outcome}; disarmed` };
    } catch (err) {
        return { ...reaper, outcome: "failed", detail: `revert failed (the reaper keeps it and retries at ${reaper.expiresAt}): ${String(err)}` };
    }
}

/** A Kubernetes fault's lease (its revert record in the cluster), as `recover` found it and what it did. */
export interface LeaseOutcome {
    /** The lease ConfigMap, namespace/name. */
    lease: string;
    stack: string;
    experiment: string;
    fault: string;
    kind: string;
    expiresAt: string;
    outcome: RevertOutcome | "failed" | "skipped";
    detail: string;
}

/**
 * Destroys a stack's faults: clears pending creates when there are any, destroys, checks nothing is left.
 * `clearPending`: true clears them first; false says the state has none (the `up` before it completed), so the state
 * is not read for them; absent reads it and clears them when there are any.
 */
export async function destroyFaults(
    stack: Stack,
    opts: { clearPending?: boolean; onEvent?: (e: EngineEvent) => void } = {},
): Promise<{ clearedPendingCreates: boolean; left: number }> {
    let cleared = false;
    // `clearPending: false` is a caller that knows the state holds no pending operation (its `up` completed): one
    // `pulumi stack export` (a CLI start, 0.3-0.5 s) less on every run's rollback.
    if (opts.clearPending ?? (await pendingOperations(stack)) > 0) {
        await stack.refresh({ clearPendingCreates: true });
        cleared = true;
    }
    // What is left is read from the state below, not from destroy's result.
    // Without intermediate checkpoints: a killed destroy leaves the state from before it, and the next one deletes
    // again what it had deleted (runner/pulumi.ts withoutCheckpoints).
    await withoutResultReads(withoutCheckpoints(stack)).destroy(opts.onEvent ? { onEvent: opts.onEvent } : {});
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

/** A lock left by a process that died, as `recover` removed it. */
export interface ClearedLock {
    /** `runner`: a faultline run's lock (.faultline/locks); `pulumi`: an update's lock in the file backend. */
    kind: "runner" | "pulumi";
    stack: string;
    pid: number;
    detail: string;
}

/** What `recover` found and did. */
export interface RecoverReport {
    locks: ClearedLock[];
    stacks: Array<{ stack: string; resources: number; action: "destroyed" | "skipped-locked" | "failed" | "would-destroy"; detail: string }>;
    reapers: ReaperOutcome[];
    /** Leases of Kubernetes faults in the cluster KUBECONFIG reaches that no stack would revert, and what was done. */
    leases: LeaseOutcome[];
    /** Reaper containers that were not running, and what was done to each. */
    repairs: ReaperRepair[];
    /** What is still not clean, each with what to do about it; empty when every stack is clean and usable. */
    left: string[];
}

/**
 * Finds what crashed runs left and rolls it back, until every stack is clean and a new `up` works:
 * 1. checkpoints torn by a killed write are repaired, and locks whose process is dead are removed (the runner's, and
 *    the file backend's update locks: what `pulumi cancel` does, but only for dead updates);
 * 2. stacks of this project that still hold faults or pending operations and are not held by a live process are
 *    destroyed (pending creates cleared first);
 * 3. faults armed in reapers whose stack holds no fault any more are reverted through their driver and disarmed, and
 *    an experiment's standby whose stack no longer holds the experiment expires; Kubernetes faults' leases left in
 *    the cluster by such stacks are reverted through revertLease, the revert `destroy` and the in-cluster reaper run;
 * 4. reapers that are not running are started again, replaced (left created by an arm that died) or removed;
 * 5. what is still left is listed in `left`, with what to do.
 */
export async function recover(opts: RecoverOptions = {}): Promise<RecoverReport> {
    const log = opts.onEvent ?? (() => undefined);
    const report: RecoverReport = { locks: [], stacks: [], reapers: [], leases: [], repairs: [], left: [] };
    // A crashed run may have left a checkpoint no command can load; listing the stacks would fail on it.
    if (!opts.dryRun) for (const file of repairKilledCheckpoint()) log(`repaired ${file} (left empty by a killed pulumi)`);
    if (!opts.dryRun) {
        for (const h of removeDeadLocks(opts.stack)) {
            report.locks.push({ kind: "runner", stack: "", pid: h.pid, detail: `removed the lock of ${h.command} (pid ${h.pid}, since ${h.startedAt}): its process is gone` });
        }
    }
    const ws = await projectWorkspace();
    const stacks = (await ws.listStacks()).filter((s) => !opts.stack || s.name === opts.stack);
    const known = new Set(stacks.map((s) => s.name));
    const held = new Set<string>();
    for (const s of stacks) await recoverStack(s.name, opts, report, held, log);
    await revertOrphans(known, held, opts, report, log);
    await revertOrphanLeases(known, held, opts, report, log);
    if (opts.dryRun) return report;
    const ours = (stack: string) => known.has(stack) || !!opts.includeUnknownStacks;
    report.repairs = await repairReapers({ project: readProjectName(), ...(opts.stack ? { stack: opts.stack } : {}) }, ours);
    for (const r of report.repairs) log(`reaper ${r.name} (${r.state}): ${r.action}, ${r.detail}`);
    report.left = await whatIsLeft([...known], ours, report);
    return report;
}

/**
 * Step 1 and 2 of {@link recover} for one stack: its dead update locks, then its faults and pending operations. It
 * holds the stack's runner lock meanwhile, so that no `faultline run` starts on the stack while it is destroyed.
 */
async function recoverStack(name: string, opts: RecoverOptions, report: RecoverReport, held: Set<string>, log: (m: string) => void): Promise<void> {
    let release: (() => void) | undefined;
    try {
        release = opts.dryRun ? undefined : acquireLock(name, "faultline recover");
    } catch (err) {
        if (!(err instanceof StackLockedError)) throw err;
    }
    const holder = release ? undefined : lockHolder(name);
    if (holder) {
        report.stacks.push({ stack: name, resources: 0, action: "skipped-locked", detail: `locked by a running faultline, pid ${holder.pid} (${holder.command})` });
        held.add(name);
        return;
    }
    try {
        await recoverUnlocked(name, opts, report, held, log);
    } finally {
        release?.();
    }
}

/** {@link recoverStack} once no faultline run holds the stack. */
async function recoverUnlocked(name: string, opts: RecoverOptions, report: RecoverReport, held: Set<string>, log: (m: string) => void): Promise<void> {
    const locks = opts.dryRun ? { removed: [], live: backendLocks(name).filter((l) => l.alive) } : clearDeadBackendLocks(name);
    for (const l of locks.removed) {
        report.locks.push({ kind: "pulumi", stack: name, pid: l.pid, detail: `removed the lock of a dead pulumi update (pid ${l.pid}, since ${l.timestamp || "unknown"})` });
        log(`stack ${name}: removed the lock of a dead pulumi update (pid ${l.pid})`);
    }
    // The dead update's checkpoint write may have been cut short too: its temp files go with its lock.
    if (locks.removed.length > 0) repairKilledCheckpoint(name);
    const live = locks.live;
    if (live.length > 0) {
        const l = live[0]!;
        report.stacks.push({ stack: name, resources: 0, action: "skipped-locked", detail: `a pulumi update holds it: pid ${l.pid} on ${l.hostname}, since ${l.timestamp}` });
        held.add(name);
        return;
    }
    const stack = await openStack(name);
    const resources = await liveResources(stack);
    const pending = await pendingOperations(stack);
    if (resources.length === 0 && pending === 0) return;
    if (opts.dryRun) {
        report.stacks.push({ stack: name, resources: resources.length, action: "would-destroy", detail: resources.map((r) => r.urn.split("::").pop()).join(", ") || `${pending} pending operation(s)` });
        held.add(name);
        return;
    }
    log(`destroying the faults of stack ${name} (${resources.length} resources, ${pending} pending operations)`);
    try {
        const r = await destroyFaults(stack);
        if (r.left > 0) held.add(name);
        report.stacks.push({
            stack: name,
            resources: resources.length,
            action: r.left === 0 ? "destroyed" : "failed",
            detail: r.left === 0 ? `every fault reverted${r.clearedPendingCreates ? ", pending creates cleared first" : ""}` : `${r.left} resources left`,
        });
    } catch (err) {
        held.add(name);
        report.stacks.push({ stack: name, resources: resources.length, action: "failed", detail: String(err).split("\n")[0]! });
    }
}

/**
 * Step 3 of {@link recover}: faults armed in reapers whose stack holds no fault any more (an `up` killed between
 * arming and the state write, or a stack destroyed while its reaper was down) are reverted and disarmed, and
 * standbys whose stack no longer holds the experiment expire. Stacks held by a live process are left to it.
 */
async function revertOrphans(known: Set<string>, held: Set<string>, opts: RecoverOptions, report: RecoverReport, log: (m: string) => void): Promise<void> {
    for (const reaper of await listReapers(opts.stack, { standbys: true })) {
        const standby = reaper.kind === STANDBY_KIND;
        const what = !reaper.id ? "an idle reaper" : standby ? `the standby of experiment "${reaper.experiment}"` : `fault "${reaper.fault}" (${reaper.kind})`;
        if (held.has(reaper.stack) || lockHolder(reaper.stack)) {
            if (!standby) report.reapers.push({ ...reaper, outcome: "skipped", detail: "its stack still holds the fault (or a run holds the stack); it fires at its deadline" });
            continue;
        }
        if (!known.has(reaper.stack) && !opts.includeUnknownStacks) {
            report.reapers.push({ ...reaper, outcome: "skipped", detail: `stack "${reaper.stack}" is not in this backend; use --include-unknown-stacks to revert it anyway` });
            continue;
        }
        if (opts.dryRun) {
            report.reapers.push({ ...reaper, outcome: "skipped", detail: `dry run: would ${standby ? "expire" : "revert"} ${what}` });
            continue;
        }
        log(!reaper.id ? `removing ${what}, ${reaper.name}` : `${standby ? "expiring the orphaned" : "reverting the orphaned"} ${what} of stack ${reaper.stack}`);
        report.reapers.push(await revertReaper(reaper, log));
    }
}

/** The API of the cluster KUBECONFIG (or ~/.kube/config) names, or undefined (logged) when there is none or it does not answer. */
async function reachableCluster(log: (m: string) => void): Promise<KubeApi | undefined> {
    if (!process.env.KUBECONFIG && !process.env.KUBERNETES_SERVICE_HOST && !existsSync(`${os.homedir()}/.kube/config`)) return undefined;
    try {
        const api = kubeApi(process.env, 5_000);
        await api.request("GET", "/readyz");
        return api;
    } catch (err) {
        log(`Kubernetes leases not checked: ${String(err).split("\n")[0]}`);
        return undefined;
    }
}

/**
 * Step 3 of {@link recover} on Kubernetes: leases whose stack holds no fault any more (an `up` killed after arming,
 * before its state write; or a stack whose destroy could not reach the cluster) are reverted through revertLease,
 * expired or not, and so released. Stacks held by a live process are left to it and to their in-cluster reaper.
 */
async function revertOrphanLeases(known: Set<string>, held: Set<string>, opts: RecoverOptions, report: RecoverReport, log: (m: string) => void): Promise<void> {
    const api = await reachableCluster(log);
    if (!api) return;
    const project = readProjectName();
    for (const l of (await listLeases(api, opts.stack)).filter((x) => x.record.owner.project === project)) {
        const o = l.record.owner;
        const expired = l.record.expiresAt <= Date.now();
        const base = { lease: `${l.namespace}/${l.name}`, stack: o.stack, experiment: o.experiment, fault: o.fault, kind: o.kind, expiresAt: new Date(l.record.expiresAt).toISOString() };
        const skip = (detail: string) => report.leases.push({ ...base, outcome: "skipped", detail });
        if (held.has(o.stack) || lockHolder(o.stack)) {
            skip("its stack still holds the fault (or a run holds the stack); its in-cluster reaper reverts it at the deadline");
        } else if (!known.has(o.stack) && !opts.includeUnknownStacks) {
            skip(`stack "${o.stack}" is not in this backend; use --include-unknown-stacks to revert it anyway`);
        } else if (opts.dryRun) {
            skip(`dry run: would revert ${o.kind} "${o.fault}"${expired ? " (past its deadline)" : ""}`);
        } else {
            log(`reverting the orphaned Kubernetes fault "${o.fault}" (${o.kind}) of stack ${o.stack}, lease ${base.lease}`);
            try {
                const outcome = await revertLease(api, l.namespace, l.record);
                report.leases.push({ ...base, outcome, detail: `${o.kind} "${o.fault}" of stack ${o.stack}${expired ? ", past its deadline" : ""}: ${outcome}; lease released` });
            } catch (err) {
                report.leases.push({ ...base, outcome: "failed", detail: `revert failed (the lease stays; the in-cluster reaper retries): ${String(err).split("\n")[0]}` });
            }
        }
    }
}

/** Step 5 of {@link recover}: what still keeps a stack from being clean and usable, each with what to do. */
async function whatIsLeft(stacks: string[], ours: (stack: string) => boolean, report: RecoverReport): Promise<string[]> {
    const left: string[] = [];
    for (const stack of stacks) {
        const holder = lockHolder(stack);
        if (holder) left.push(`stack ${stack}: a running faultline holds it (pid ${holder.pid}, ${holder.command}); wait for it to end, or stop it with Ctrl-C (it rolls back first), then run \`faultline recover\` again`);
        for (const l of backendLocks(stack)) {
            left.push(
                l.hostname === os.hostname()
                    ? `stack ${stack}: pulumi update pid ${l.pid} (since ${l.timestamp}) holds its lock; wait for it to end, or kill it, then run \`faultline recover\` again`
                    : `stack ${stack}: locked by pid ${l.pid} on host ${l.hostname || "unknown"} (${l.file}); if that update is gone, run \`pulumi cancel --stack ${stack}\`, then \`faultline recover\``,
            );
        }
    }
    for (const s of report.stacks) if (s.action === "failed") left.push(`stack ${s.stack}: destroy failed (${s.detail}); fix the cause, then run \`faultline recover --stack ${s.stack}\` again`);
    for (const r of report.reapers) if (r.outcome === "failed") left.push(`fault "${r.fault}" of stack ${r.stack}: ${r.detail}`);
    for (const l of report.leases) if (l.outcome === "failed") left.push(`Kubernetes fault "${l.fault}" of stack ${l.stack} (lease ${l.lease}): ${l.detail}`);
    for (const r of report.repairs) if (r.action === "failed") left.push(`reaper ${r.name} of stack ${r.stack}: could not be started or replaced (${r.detail}); see \`docker logs ${r.name}\``);
    for (const a of await armedFaults({ project: readProjectName() })) {
        if (a.id && !a.running && ours(a.owner.stack) && stacks.includes(a.owner.stack)) {
            left.push(`${a.kind === STANDBY_KIND ? "standby" : `fault "${a.owner.fault}"`} of stack ${a.owner.stack} is armed, but its reaper ${a.reaperName} is not running; see \`docker ps -a --filter name=${a.reaperName}\``);
        }
    }
    return [...new Set(left)];
}
