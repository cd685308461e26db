// `faultline halt`: the safety lever. It engages the lever on the engine (components/core/halt.ts), so nothing new
// goes in anywhere, then reverts every fault it can find, of every stack and project, known to this backend or not,
// through the one revert path: the armed records in the Docker reapers (revertReaper), the leases in the local
// cluster (revertLease), then `destroy` of this backend's stacks (destroyFaults). See docs/halt.md.
import { engageHalt, readHalt, releaseHalt, type HaltLever } from "../components/core/halt";
import { kubeApi } from "../components/kubernetes/kubeApi";
import { listLeases, revertLease } from "../components/kubernetes/lease";
import { lockHolder } from "./lock";
import { backendLocks, openStack, projectWorkspace } from "./pulumi";
import { destroyFaults, listReapers, revertReaper, type ReaperOutcome } from "./recover";

/** Options of {@link halt}. */
export interface HaltOptions {
    /** Why the lever is pulled; recorded on the lever and shown to everyone it refuses. */
    reason?: string;
    /** Who pulls it. Defaults to user@host. */
    by?: string;
    /**
     * Only stacks whose name starts with this. Defaults to FAULTLINE_HALT_STACK_PREFIX, else every stack: tests on
     * an engine shared with other work use it so as not to revert faults that are not theirs.
     */
    stackPrefix?: string;
    onEvent?: (message: string) => void;
}

/** A Kubernetes lease as halt saw it. */
export interface LeaseOutcome {
    namespace: string;
    name: string;
    stack: string;
    fault: string;
    outcome: string;
    detail: string;
}

/** What `faultline halt` did. */
export interface HaltReport {
    lever: HaltLever;
    /** False when the lever was already engaged (it keeps who pulled it first). */
    engagedNow: boolean;
    /** Faults armed in Docker reapers, each reverted through its driver and disarmed. */
    docker: ReaperOutcome[];
    /** The local cluster: reached or not (KUBECONFIG unset counts as no cluster), and its faults' leases. */
    kubernetes: { reached: boolean; detail: string; leases: LeaseOutcome[] };
    /** This backend's stacks that held resources: destroyed, or left to the run that holds them. */
    stacks: Array<{ stack: string; action: "destroyed" | "left-to-its-run" | "failed"; detail: string }>;
    /** What may still be in, each with what to do; empty when every fault found is reverted. */
    left: string[];
}

/** How many sweeps of the reapers at most: a create that passed its lever check just before the pull arms after it. */
const SWEEPS = 3;
const SWEEP_PAUSE_MS = 1000;

/** The stack filter of these options. */
function inScope(opts: HaltOptions): (stack: string) => boolean {
    const prefix = opts.stackPrefix ?? process.env.FAULTLINE_HALT_STACK_PREFIX ?? "";
    return (stack) => stack.startsWith(prefix);
}

/** Engages the lever, then reverts every fault in scope. Never throws for one fault: each outcome is reported. */
export async function halt(opts: HaltOptions = {}): Promise<HaltReport> {
    const log = opts.onEvent ?? (() => undefined);
    // The lever first: from here on no create anywhere injects, so the sweeps below cannot be outrun.
    const { lever, engaged } = await engageHalt({ ...(opts.by ? { by: opts.by } : {}), ...(opts.reason ? { reason: opts.reason } : {}) });
    log(engaged ? `halt engaged: ${lever.name}, by ${lever.by} at ${lever.at}` : `halt was already engaged by ${lever.by} at ${lever.at}`);
    const report: HaltReport = { lever, engagedNow: engaged, docker: await sweepDocker(opts, log), kubernetes: await sweepKubernetes(opts, log), stacks: [], left: [] };
    report.stacks = await destroyKnownStacks(opts, log);
    report.left = [
        ...report.docker.filter((d) => d.outcome === "failed").map((d) => `fault "${d.fault}" of stack ${d.stack}: ${d.detail}`),
        ...report.kubernetes.leases.filter((l) => l.outcome === "failed").map((l) => `lease ${l.namespace}/${l.name} (stack ${l.stack}): ${l.detail}; retry \`faultline halt\``),
        ...report.stacks.filter((s) => s.action === "failed").map((s) => `stack ${s.stack}: destroy failed (${s.detail}); its faults are reverted, its state is not: run \`faultline recover --stack ${s.stack}\``),
    ];
    return report;
}

/** Reverts every fault armed in a Docker reaper, of any project and stack in scope, until a sweep finds none. */
async function sweepDocker(opts: HaltOptions, log: (m: string) => void): Promise<ReaperOutcome[]> {
    const scope = inScope(opts);
    const out: ReaperOutcome[] = [];
    for (let sweep = 0; sweep < SWEEPS; sweep++) {
        const armed = (await listReapers(undefined, { allProjects: true })).filter((r) => r.id && scope(r.stack) && !out.some((o) => o.id === r.id && o.outcome !== "failed"));
        if (armed.length === 0 && sweep > 0) break;
        for (const r of armed) {
            log(`reverting ${r.kind} "${r.fault}" of stack ${r.stack} (project ${r.project})`);
            out.push(await revertReaper(r, log));
        }
        await new Promise((res) => setTimeout(res, SWEEP_PAUSE_MS));
    }
    return out;
}

/** Reverts every fault lease in the cluster KUBECONFIG reaches; no KUBECONFIG, no cluster. */
async function sweepKubernetes(opts: HaltOptions, log: (m: string) => void): Promise<HaltReport["kubernetes"]> {
    if (!process.env.KUBECONFIG) return { reached: false, detail: "KUBECONFIG is not set: no cluster looked at", leases: [] };
    const scope = inScope(opts);
    let api;
    let found;
    try {
        api = kubeApi(process.env, 5000);
        found = await listLeases(api);
    } catch (err) {
        return { reached: false, detail: `the cluster of KUBECONFIG was not reached: ${String(err).split("\n")[0]}`, leases: [] };
    }
    const leases: LeaseOutcome[] = [];
    for (const l of found.filter((x) => scope(x.record.owner.stack))) {
        const base = { namespace: l.namespace, name: l.name, stack: l.record.owner.stack, fault: l.record.owner.fault };
        log(`reverting the Kubernetes fault "${base.fault}" of stack ${base.stack} (${l.namespace}/${l.name})`);
        try {
            const outcome = await revertLease(api, l.namespace, l.record);
            leases.push({ ...base, outcome, detail: `${outcome}; lease released` });
        } catch (err) {
            leases.push({ ...base, outcome: "failed", detail: String(err).split("\n")[0]! });
        }
    }
    return { reached: true, detail: `${api.server}: ${found.length} lease(s)`, leases };
}

/**
 * Destroys the stacks of this backend that still hold resources, so their state matches the engine again (every
 * driver revert is a no-op by now). A stack a faultline run holds is left to that run: it sees the lever and rolls
 * back; one a live `pulumi` update holds is left to it (its creates refuse).
 */
async function destroyKnownStacks(opts: HaltOptions, log: (m: string) => void): Promise<HaltReport["stacks"]> {
    const scope = inScope(opts);
    const out: HaltReport["stacks"] = [];
    const ws = await projectWorkspace();
    for (const s of (await ws.listStacks()).filter((x) => scope(x.name) && (x.resourceCount ?? 0) > 0)) {
        const holder = lockHolder(s.name);
        const update = backendLocks(s.name).find((l) => l.alive);
        if (holder || update) {
            const who = holder ? `faultline pid ${holder.pid} (${holder.command})` : `pulumi pid ${update!.pid}`;
            out.push({ stack: s.name, action: "left-to-its-run", detail: `${who} holds it; its faults are reverted, and it sees the lever` });
            continue;
        }
        log(`destroying stack ${s.name}`);
        try {
            const r = await destroyFaults(await openStack(s.name));
            out.push({ stack: s.name, action: r.left === 0 ? "destroyed" : "failed", detail: r.left === 0 ? "state cleared" : `${r.left} resources left` });
        } catch (err) {
            out.push({ stack: s.name, action: "failed", detail: String(err).split("\n")[0]! });
        }
    }
    return out;
}

/** The lever's state, for `faultline halt --status`. */
export async function haltStatus(): Promise<{ halted: boolean; lever: HaltLever | null }> {
    const lever = await readHalt();
    return { halted: !!lever, lever: lever ?? null };
}

/** Releases the lever, for `faultline halt --release`. */
export async function release(): Promise<{ released: boolean; lever: HaltLever | null }> {
    const lever = await releaseHalt();
    return { released: !!lever, lever: lever ?? null };
}

/** How often a run looks at the lever. */
export const HALT_POLL_MS = 500;

/**
 * Watches the lever for a run: the returned signal aborts (with "halt pulled by …" as its reason) when the lever is
 * engaged, or when `parent` aborts. The run then rolls back as on Ctrl-C. `stop` ends the watch.
 */
export function watchHalt(parent?: AbortSignal): { signal: AbortSignal; stop: () => void } {
    const ctl = new AbortController();
    const timer = setInterval(() => {
        readHalt()
            .then((lever) => {
                if (lever && !ctl.signal.aborted) ctl.abort(`halt pulled by ${lever.by} at ${lever.at}`);
            })
            .catch(() => undefined); // an engine hiccup is no halt; the next look decides
    }, HALT_POLL_MS);
    timer.unref();
    const signal = parent ? AbortSignal.any([parent, ctl.signal]) : ctl.signal;
    return { signal, stop: () => clearInterval(timer) };
}
