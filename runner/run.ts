// The game-day runner, as named phases over one RunState, in the manner of chaostoolkit's run_*:
// preflight (policy check and plan) beside the steady state → inject (up) → observe (fault window, stop conditions) →
// rollback (direct revert, destroy) → recovery (and cool-down) → judge (verdict and evidence). Rollback is
// guaranteed: it runs in a `finally` that no signal reaches, after success, failure, a stop condition, an abort
// (SIGINT/SIGTERM in the CLI) and an exception, and the judgement waits for its destroy.
import { randomBytes } from "node:crypto";
import pRetry from "p-retry";
import * as path from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { expectationsOf } from "../spec/experiment";
import type { DriverContext } from "../components/core/driver";
import type { FaultOwner } from "../components/core/labels";
import { driverFor } from "../components/registry";
import { checkSlos, evaluate, stableSamples, steadySignals, windowMetrics, type FaultSpan, type Phase } from "./evaluate";
import { buildEvidence } from "./evidence/build";
import { stackProvenance } from "./evidence/provenance";
import type { Evidence } from "./evidence/schema";
import { RUNS_DIR, writeRun, type RunFiles } from "./evidence/store";
import { ExperimentRefusedError, RunnerError, StackHoldsFaultsError } from "./errors";
import { checkpointFreeUp, collectTargets, heldFaults, missingTargets, openExperiment, type LoadedExperiment, type PlannedTarget } from "./experiment";
import { startExperimentLoad, type LoadReport, type LoadResult, type LoadRun } from "./load";
import { refuseIfHalted } from "../components/core/halt";
import { watchHalt } from "./halt";
import { acquireLock } from "./lock";
import { createProbe } from "./probes";
import { Sampler, type Sample } from "./probes/sampler";
import { errorSummary, liveResources, planFile, policyPacks, previewWithPolicies, upAsPreviewed, violationLine, type PolicyViolation } from "./pulumi";
import { destroyFaults, listReapers, revertReaper } from "./recover";
import { redactDeep } from "./redact";
import { StopWatcher, type StopTrigger } from "./stop";
import { publishRun } from "./telemetry";

export { errorSummary } from "./pulumi";

/** What the runner reports while it works. */
export type RunEvent =
    | { type: "phase"; phase: Phase["name"]; t: number; message: string }
    | {
          type: "progress";
          phase: Phase["name"];
          elapsedMs: number;
          totalMs: number;
          /** Steady-state probe samples of the last second, and how many failed. */
          probes: { samples: number; failed: number };
          /** Load requests whose outcome became known in the last second (a timed-out one at its deadline), and how many failed; null without load. */
          load: { requests: number; failed: number } | null;
      }
    | { type: "log"; level: "info" | "warn"; message: string }
    | { type: "stop"; trigger: StopTrigger }
    | { type: "sample"; sample: Sample };

/** Options of {@link runExperiment}. */
export interface RunOptions {
    /** The stack to run: one stack per experiment (stacks/Pulumi.<stack>.yaml). */
    stack: string;
    /** Run this experiment instead of the stack's config; it is written into the stack's config first. */
    experiment?: unknown;
    /** Where evidence.json, report.md and report.html go. Defaults to .faultline/runs/<stack>/<run id>/. */
    outDir?: string;
    /**
     * Aborts the run: the warm-up, the injection or the fault window ends at once and rollback starts. Rollback
     * itself is never aborted. The CLI aborts on SIGINT/SIGTERM.
     */
    signal?: AbortSignal;
    /** Called with phases, progress, stop conditions, log lines and every probe sample. Must not throw. */
    onEvent?: (event: RunEvent) => void;
}

/** The outcome of a run. */
export interface RunResult {
    evidence: Evidence;
    files: RunFiles;
    /** 0 hypothesis held, 1 refuted, 2 aborted or error. */
    exitCode: 0 | 1 | 2;
}

/** A sortable, unique run id: 20240101-120000-ab12cd. */
export function newRunId(now = new Date()): string {
    const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Thrown inside a phase to end the active part early with an outcome already recorded. */
class EndRun extends Error {
    override name = "EndRun";
}

/** A signal that never aborts, for waits that only their deadline ends. */
const NEVER = new AbortController().signal;

/** Sleeps `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done, { once: true });
    });
}

/** A fault's revert record, as its inject reported it, to watch the fault go in and out on its target. */
export interface InjectedFault {
    fault: string;
    kind: string;
    record: unknown;
    owner: FaultOwner;
}

/** How long the direct revert of the faults may take before rollback goes on with `pulumi destroy` alone. */
const DIRECT_REVERT_MS = 10_000;

/** What a run needs of its experiment: the parsed spec, a sentence per fault, and the secrets to redact. */
export type RunSubject = Pick<LoadedExperiment, "spec" | "descriptions" | "secrets">;

/**
 * How a run's faults go in and come out. `faultline run` goes through Pulumi (preview with the policy pack, `up`,
 * `destroy`: {@link pulumiPath}); withExperiment (testing/) straight through the drivers, with no stack. The phases
 * around them (steady state, fault window, recovery, judge) are the same.
 */
export interface FaultPath {
    /**
     * Checks before anything goes in; absent when the path has none. Ends the run with `s.end`. Its quick checks come
     * first (a missing target), before any probe runs; it calls `quickChecked` after them, and the rest (the preview)
     * runs while the steady state is measured. When `cancel` aborts (the steady state failed first) it stops, with
     * any error: the steady state's reason stands.
     */
    preflight?(s: RunState, cancel: AbortSignal, quickChecked: () => void): Promise<void>;
    /** Enters the inject phase and puts the faults in, reporting each with {@link RunState.injectedFault}. */
    inject(s: RunState): Promise<void>;
    /** Takes out whatever `inject` did, after the direct revert of the reported faults. Never aborted. */
    rollback(s: RunState): Promise<Evidence["rollback"]>;
    /** Where the verdict came from, for the evidence. */
    provenance(s: RunState): Evidence["provenance"];
}

/** Everything one run knows, shared by its phases. Each phase reads and writes only what it names. */
export class RunState {
    readonly spec: LoadedExperiment["spec"];
    readonly runId = newRunId();
    readonly outDir: string;
    readonly startedAt = new Date();
    /** Wall clock at the run's t = 0, to place the engine's timestamps on the run clock. */
    readonly wall0 = Date.now();
    private readonly t0 = performance.now();
    readonly signal: AbortSignal;
    readonly phases: Phase[] = [];
    current: Phase | undefined;
    outcome: { status: Evidence["status"]; reason?: string } = { status: "completed" };
    readonly errors: string[] = [];
    /** Per fault: when it went in (run clock). */
    readonly injectedAt: Record<string, number> = {};
    readonly plannedTargets: PlannedTarget[] = [];
    /** The policy pack's violations at preview, for the evidence. */
    readonly policyViolations: PolicyViolation[] = [];
    readonly injected: InjectedFault[] = [];
    stop: StopTrigger | null = null;
    /** Aborted by a stop condition: ends the fault window through the same path as an interruption. */
    readonly stopCtl = new AbortController();
    upAttempted = false;
    upCompleted = false;
    /** Whether the `up` may go without intermediate checkpoints, as the preview found (runner/experiment.ts checkpointFreeUp). */
    checkpointFreeUp = false;
    /** When the faults were seen reverted on the target (run clock); recovery is timed from here. */
    revertStartedAt: number | null = null;
    /** Per fault: when its driver's observe first saw it in on its target (run clock). */
    readonly seenIn: Record<string, number> = {};
    /** When the runner began reverting the faults (the rollback's start): the chaos window's end. */
    revertBeganAt: number | null = null;
    /** The loops watching faults go in (see {@link watchIn}); they end once seen, or when the revert begins. */
    readonly watchingIn: Promise<void>[] = [];
    rollback: Evidence["rollback"] = { performed: false, result: "not-needed", attempts: 0, cleared_pending_creates: false, duration_ms: 0, error: null };
    /** The rollback's destroy when it goes on through recovery (see rollbackPhase); awaited before the judgement. */
    clearing: Promise<void> | undefined;
    readonly loadResults: LoadResult[] = [];
    loadRun: LoadRun | undefined;
    loadReport: LoadReport | null = null;
    readonly steadyNames: Set<string>;
    readonly watcher: StopWatcher;
    readonly sampler: Sampler;

    constructor(
        readonly opts: RunOptions,
        readonly exp: RunSubject,
        readonly faultPath: FaultPath,
    ) {
        this.spec = exp.spec;
        this.outDir = opts.outDir ?? path.join(RUNS_DIR, opts.stack, this.runId);
        this.signal = opts.signal ?? NEVER;
        this.steadyNames = new Set(this.spec.hypothesis.probes.map((p) => p.name));
        this.watcher = new StopWatcher(this.spec, (t) => {
            this.stop = t;
            this.emit({ type: "stop", trigger: t });
            this.stopCtl.abort();
        });
        const probes = [...this.spec.hypothesis.probes, ...this.spec.faults.flatMap((f) => expectationsOf(f).map((e) => e.probe))].map((p) => createProbe(p));
        this.sampler = new Sampler(probes, {
            intervalMs: this.spec.timing.sampleInterval,
            clock: () => this.clock(),
            phase: () => this.current?.name ?? "preflight",
            onSample: (s) => {
                if (this.current?.name === "fault") this.watcher.onSample(s);
                this.emit({ type: "sample", sample: s });
            },
        });
    }

    /** Milliseconds since the run started. */
    clock(): number {
        return performance.now() - this.t0;
    }

    /** Reports an event; samples are redacted with the evidence, everything else may be printed as it comes. */
    emit(e: RunEvent): void {
        try {
            this.opts.onEvent?.(e.type === "sample" ? e : redactDeep(e, this.exp.secrets));
        } catch {
            // a broken listener must never break a rollback
        }
    }

    /**
     * Records a fault that went in (`injectedAt`: epoch ms, when known) and starts watching for it on its target: the
     * chaos window starts where it is seen, and rollback reverts it straight through its driver.
     */
    injectedFault(f: InjectedFault, injectedAt?: number): void {
        if (injectedAt !== undefined) this.injectedAt[f.fault] = injectedAt - this.wall0;
        this.injected.push(f);
        this.watchingIn.push(watchIn(this, f));
    }

    log(message: string, level: "info" | "warn" = "info"): void {
        this.emit({ type: "log", level, message });
    }

    /** Starts phase `name`, closing the current one unless it was closed early (what was judged is what it holds). */
    enter(name: Phase["name"], message: string): Phase {
        const now = this.clock();
        if (this.current && this.current.end === this.current.start) this.current.end = now;
        this.current = { name, start: now, end: now };
        this.phases.push(this.current);
        this.emit({ type: "phase", phase: name, t: now, message });
        return this.current;
    }

    /** Records why the run ends here and ends the active part (see {@link EndRun}). */
    end(status: Evidence["status"], reason: string): never {
        this.outcome = { status, reason };
        throw new EndRun();
    }

    /** Records an interruption (the signal aborted), unless an abort or error was recorded first. */
    interrupt(): void {
        if (this.outcome.status !== "completed" && this.outcome.status !== "stopped") return;
        const r = this.signal.reason as unknown;
        const reason = r instanceof Error ? r.message : typeof r === "string" ? r : "aborted";
        this.outcome = { status: "interrupted", reason: `interrupted (${reason}) during ${this.current?.name ?? "start"}; faults rolled back` };
    }

    /** Records an unexpected error of the active part. */
    fail(err: unknown): void {
        const where = this.current?.name ?? "start";
        this.outcome = { status: "error", reason: `the run failed during ${where}: ${errorSummary(err)}` };
        this.errors.push(`${where}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`.slice(0, 4000));
    }

    /** Waits `ms` in the current phase, reporting progress each second; ends early when `abort` aborts. */
    async observe(ms: number, abort: AbortSignal, every?: (now: number) => void): Promise<void> {
        const phase = this.current!;
        const end = phase.start + ms;
        const step = Math.max(50, Math.min(this.spec.timing.sampleInterval, 250));
        while (!abort.aborted && this.clock() < end) {
            await sleep(Math.min(step, end - this.clock()), abort);
            const now = this.clock();
            every?.(now);
            this.progress(now, ms);
        }
    }

    private nextProgress = 0;

    /** Reports progress through the current phase (of `totalMs`), at most once a second. */
    progress(now: number, totalMs: number): void {
        const phase = this.current!;
        if (now < this.nextProgress || now - phase.start < 1000) return;
        this.nextProgress = now + 1000;
        this.emit({ type: "progress", phase: phase.name, elapsedMs: now - phase.start, totalMs, ...this.lastSecond(now) });
    }

    /** Probe failures and load errors of the last second, apart: they are different signals. */
    private lastSecond(now: number): Pick<Extract<RunEvent, { type: "progress" }>, "probes" | "load"> {
        const samples = this.sampler.samples.filter((s) => s.t >= now - 1000 && this.steadyNames.has(s.probe));
        // A request counts when its outcome became known: when it ended, or at its deadline.
        const requests = this.loadResults.filter((r) => r.t + r.latencyMs >= now - 1000);
        return {
            probes: { samples: samples.length, failed: samples.filter((s) => !s.ok).length },
            load: this.spec.load ? { requests: requests.length, failed: requests.filter((r) => !r.ok).length } : null,
        };
    }
}

/**
 * Preflight: the policy check and plan (`pulumi preview` with the policy pack), and the blast-radius limit. Its phase
 * overlaps the warm-up's (see {@link checkBeforeInjecting}), so it records its own end.
 */
async function pulumiPreflight(s: RunState, stack: Stack, plan: string | undefined, cancel: AbortSignal, quickChecked: () => void): Promise<void> {
    const phase = s.enter("preflight", "policy check and plan (pulumi preview), beside the warm-up");
    try {
        const missing = await missingTargets(s.spec);
        if (missing.length > 0) s.end("aborted", `a target is not there, nothing was injected: ${missing.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
        quickChecked();
        await previewAndCheck(s, stack, plan, cancel);
    } finally {
        phase.end = s.clock();
    }
    // The progress line has moved on to the warm-up: say that the check passed.
    s.log(`policy check passed in ${((phase.end - phase.start) / 1000).toFixed(1)} s; the faults would hit ${s.plannedTargets.map((t) => t.target).join(", ") || "no planned target"}`);
}

/** The body of {@link pulumiPreflight}. */
async function previewAndCheck(s: RunState, stack: Stack, plan: string | undefined, cancel: AbortSignal): Promise<void> {
    try {
        const targets = collectTargets(s.plannedTargets);
        const free = checkpointFreeUp();
        const onEvent = (e: EngineEvent) => (targets(e), free.onEvent(e));
        const p = await previewWithPolicies(stack, { signal: AbortSignal.any([s.signal, cancel]), onEvent, ...(plan ? { plan } : {}) });
        s.checkpointFreeUp = free.holds();
        s.policyViolations.push(...p.violations);
        if (!p.passed) {
            const blocking = p.violations.filter((v) => v.level === "mandatory").map(violationLine);
            s.end("aborted", `policy check failed, nothing was injected: ${blocking.join("; ")}`);
        }
    } catch (err) {
        if (err instanceof EndRun || s.signal.aborted) throw err;
        // The steady state failed first and gave the run its reason.
        if (cancel.aborted) throw new EndRun();
        s.end("aborted", `${policyPacks().length ? "policy check or preview" : "preview"} failed, nothing was injected: ${errorSummary(err)}`);
    }
    const max = s.spec.blastRadius.maxTargets;
    const targets = s.plannedTargets;
    if (max !== undefined && targets.length > max) {
        s.end("aborted", `blast radius exceeded, nothing was injected: the faults would hit ${targets.length} targets (${targets.map((t) => t.target).join(", ")}) > blastRadius.maxTargets ${max}`);
    }
    if (s.signal.aborted) throw new EndRun();
}

/** Starts the experiment's load, bounded by time and count: the configured windows plus a margin for up/destroy. */
function startLoad(s: RunState): void {
    const { load, timing: t } = s.spec;
    if (!load) return;
    const maxDurationMs = t.warmup + t.duration + t.recoveryDeadline + t.cooldown + 180_000;
    s.loadRun = startExperimentLoad(load, {
        clock: () => s.clock(),
        maxDurationMs,
        maxRequests: Math.ceil((load.rate * maxDurationMs) / 1000),
        onResult: (r) => {
            s.loadResults.push(r);
            if (s.current?.name === "fault") s.watcher.onLoad(r);
        },
    });
}

/**
 * Steady state: sample and load through the warm-up and until `preflight` has passed, and refuse to inject unless
 * the steady state held: judged at the warm-up's end (a broken one ends the run without waiting for the preflight),
 * and again over all of it once the preflight passed, so nothing goes in on a steady state older than the checks.
 * Stops at once when `cancel` aborts (the preflight failed first and gave the run its reason).
 */
async function steadyState(s: RunState, preflight: Promise<void>, cancel: AbortSignal): Promise<void> {
    s.sampler.start();
    startLoad(s);
    const warm = s.enter("warmup", `measuring the steady state for ${s.spec.timing.warmup} ms`);
    const stop = AbortSignal.any([s.signal, cancel]);
    await s.observe(s.spec.timing.warmup, stop);
    await judgeSteadyState(s, warm, stop);
    await preflight;
    await judgeSteadyState(s, warm, stop);
}

/** Ends the run unless the steady state held from the warm-up's start until now (which becomes the warm-up's end). */
async function judgeSteadyState(s: RunState, warm: Phase, stop: AbortSignal): Promise<void> {
    // Every steady-state probe needs at least one sample before the steady state can be judged.
    for (let i = 0; i < 100 && !stop.aborted; i++) {
        const seen = new Set(s.sampler.samples.map((x) => x.probe));
        if ([...s.steadyNames].every((n) => seen.has(n)) && (!s.spec.load || s.loadResults.length > 0)) break;
        await sleep(50, stop);
    }
    if (stop.aborted) throw new EndRun();
    warm.end = s.clock();
    const samples = s.sampler.samples;
    const points = s.spec.load ? s.loadResults.filter((r) => r.t >= warm.start) : samples.filter((x) => s.steadyNames.has(x.probe) && x.t >= warm.start);
    const broken = checkSlos(s.spec, windowMetrics(points, Math.max(1, warm.end - warm.start), s.spec.load !== undefined), "steady-state").filter((r) => !r.passed);
    const dead = [...s.steadyNames].filter((n) => !samples.some((x) => x.probe === n && x.t >= warm.start && x.ok));
    if (broken.length || dead.length) {
        const lastDetail = (n: string) => [...samples].reverse().find((x) => x.probe === n)?.detail ?? "no sample";
        const why = [...broken.map((r) => r.message), ...dead.map((n) => `probe ${n} never passed: ${lastDetail(n)}`)];
        s.end("aborted", `steady state not met before injection, nothing was injected: ${why.join("; ")}`);
    }
}

/**
 * The checks before anything goes in, side by side: the preflight (the preview with the policy pack) touches no
 * target and the warm-up only measures, so the warm-up's window runs while the preview does instead of after it.
 * Nothing is injected until both have passed; whichever fails first gives the run its reason and ends the other.
 */
async function checkBeforeInjecting(s: RunState): Promise<void> {
    const cancel = new AbortController();
    // The first failure is the run's: the other side's is only its being stopped.
    const failures: unknown[] = [];
    const endOther = (err: unknown): never => {
        failures.push(err);
        cancel.abort();
        throw err;
    };
    let quickChecked!: () => void;
    const quick = new Promise<void>((resolve) => (quickChecked = resolve));
    const preflight = s.faultPath.preflight ? s.faultPath.preflight(s, cancel.signal, quickChecked).catch(endOther) : Promise.resolve();
    // The warm-up waits for the preflight's quick checks: a missing target ends the run before any probe runs.
    await Promise.race([quick, preflight]).catch(() => undefined);
    if (failures.length === 0) await Promise.allSettled([preflight, steadyState(s, preflight, cancel.signal).catch(endOther)]);
    if (failures.length > 0) throw failures[0];
}

/**
 * Inject through Pulumi: `pulumi up` constrained to the preflight's preview when it wrote a plan (`plan`,
 * {@link upAsPreviewed}; see {@link planHolds}), recording each fault's injection time and revert record from the
 * engine's events.
 */
async function pulumiUp(s: RunState, stack: Stack, plan: string | undefined): Promise<void> {
    s.enter("inject", "injecting the faults (pulumi up)");
    // The injection times and revert records come from the engine's events below, not from up's result.
    const onEvent = (e: EngineEvent) => {
        const outs = e.resOutputsEvent?.metadata.new?.outputs as { injectedAt?: string; owner?: FaultOwner; kind?: string; record?: unknown } | undefined;
        const fault = outs?.owner?.fault;
        if (!fault) return;
        if (outs.injectedAt) s.injectedAt[fault] = Date.parse(outs.injectedAt) - s.wall0;
        if (outs.kind && outs.record !== undefined && outs.owner) s.injectedFault({ fault, kind: outs.kind, record: outs.record, owner: outs.owner });
    };
    await upAsPreviewed(stack, plan, { signal: s.signal, onEvent }, !s.checkpointFreeUp);
}

/**
 * Whether the experiment's `up` can be held to its preview's plan: only when the program gives every fault the same
 * inputs in both runs. A Docker kind stamps its expiry in the provider, when it is created. A Kubernetes kind stamps
 * it into its objects' labels and annotations from the program's clock (components/kubernetes/meta.ts), so the
 * preview and the up differ by the time between them, which a plan refuses ("resource violates plan: properties
 * changed: expiresAt"); an AWS kind is treated the same until shown otherwise. Those ups run the policy pack again.
 */
function planHolds(spec: RunSubject["spec"]): boolean {
    return spec.faults.every((f) => f.kind.startsWith("docker:"));
}

/** The runner's fault path: Pulumi's preview with the policy pack, `up` and `destroy` of the experiment's stack. */
export function pulumiPath(stack: Stack): FaultPath {
    // The preview writes the plan the up is held to: the up does what the policy pack reviewed, or fails first.
    const plan = planFile();
    return {
        preflight: (s, cancel, quickChecked) => pulumiPreflight(s, stack, planHolds(s.spec) ? plan : undefined, cancel, quickChecked),
        inject: (s) => pulumiUp(s, stack, planHolds(s.spec) ? plan : undefined),
        rollback: (s) => rollBack(stack, !s.upCompleted, (m, level) => s.log(m, level)),
        provenance: (s) => stackProvenance(stack, s.spec, s.exp.secrets),
    };
}

/** Inject: the path's, recording when each fault went in. */
async function inject(s: RunState): Promise<void> {
    s.upAttempted = true;
    await s.faultPath.inject(s);
    s.upCompleted = true;
    // Faults whose injection time the engine did not report count from the end of `up`.
    for (const f of s.spec.faults) s.injectedAt[f.name] ??= s.clock();
}

/**
 * Observe: the fault window, checking the stop conditions; a stop condition or an abort ends it early. With an
 * `action` (withExperiment: the test's own steps), the window lasts as long as the action instead of
 * timing.duration; the action must not throw.
 */
async function observeFaults(s: RunState, action?: () => Promise<void>): Promise<void> {
    const acted = new AbortController();
    s.enter("fault", action ? "faults in while the test's actions run" : `faults in for ${s.spec.timing.duration} ms`);
    const running = action?.().finally(() => acted.abort());
    const abort = AbortSignal.any([s.signal, s.stopCtl.signal, acted.signal]);
    const every = Math.max(s.spec.timing.sampleInterval, 100);
    let next = s.clock() + every;
    await s.observe(action ? Number.MAX_SAFE_INTEGER : s.spec.timing.duration, abort, (now) => {
        if (now < next) return;
        next = now + every;
        s.watcher.check(now);
    });
    // A stop condition or an abort rolls back at once; the action finds out from its requests failing or succeeding.
    if (running && !s.stop && !s.signal.aborted) await running;
    if (s.stop) s.outcome = { status: "stopped", reason: `stop condition: ${s.stop.message}` };
    if (s.signal.aborted) s.interrupt();
}

/**
 * Watches one fault on its target until its driver's observe sees it in, and records when: the chaos window starts
 * there, not at the start of `up` (whose seconds before the fault is in would dilute the verdict). Ends when the
 * revert begins, seen or not.
 */
async function watchIn(s: RunState, f: InjectedFault): Promise<void> {
    const driver = driverFor(f.kind);
    while (s.revertBeganAt === null) {
        const at = s.clock();
        try {
            if ((await driver.observe(f.record)).active) {
                s.seenIn[f.fault] ??= at;
                return;
            }
        } catch {
            // the target may be mid-change; look again
        }
        await sleep(Math.max(50, Math.min(s.spec.timing.sampleInterval, 250)));
    }
}

/** Each injected fault's span in the chaos window: seen in (else the end of `up`) to revert begun. */
export function faultSpans(s: RunState): FaultSpan[] {
    const upEnd = s.phases.find((p) => p.name === "fault")?.start;
    const end = s.revertBeganAt;
    if (end === null) return [];
    return s.injected.flatMap(({ fault }) => {
        const seen = s.seenIn[fault];
        const start = seen ?? upEnd;
        if (start === undefined) return [];
        return [{ fault, start: Math.min(start, end), end, source: seen !== undefined ? ("observed" as const) : ("up-completed" as const) }];
    });
}

/**
 * Watches the injected faults on their targets until every one is seen gone (each driver's observe) and records
 * when: recovery is timed from there, not from when `destroy` was called, because Pulumi's start-up is not the
 * system's recovery time. Engine events are no clock for this: they reach the Automation API late.
 */
function watchRevert(s: RunState): { done: Promise<void>; stop: () => void } {
    let polling = true;
    const done = (async () => {
        while (polling && s.injected.length > 0) {
            const at = s.clock();
            try {
                const seen = await Promise.all(s.injected.map((r) => driverFor(r.kind).observe(r.record)));
                if (seen.every((o) => !o.active)) {
                    s.revertStartedAt = at;
                    return;
                }
            } catch {
                // the target may be mid-change; look again
            }
            await sleep(Math.max(50, s.spec.timing.sampleInterval));
        }
    })();
    return { done, stop: () => (polling = false) };
}

/**
 * Reverts the injected faults straight through their drivers, from the revert records `up` reported: a fault is out
 * in the time its driver takes (milliseconds), not in the seconds `pulumi destroy` needs to start. Every revert is
 * idempotent, so the destroy that follows reverts nothing twice; it clears the state and disarms the reapers. A
 * failure or a hang here only leaves the work to destroy. True when every fault of the experiment was reverted so.
 */
async function revertDirectly(s: RunState): Promise<boolean> {
    const all = Promise.all(
        s.injected.map(async (f) => {
            const ctx: DriverContext = { owner: f.owner, warn: (m) => s.log(`${f.fault}: ${m}`, "warn"), info: () => undefined };
            try {
                await driverFor(f.kind).revert(f.record, ctx);
                return true;
            } catch (err) {
                s.log(`direct revert of ${f.fault} failed, pulumi destroy will revert it: ${errorSummary(err)}`, "warn");
                return false;
            }
        }),
    );
    const late = new AbortController();
    const done = await Promise.race([all, sleep(DIRECT_REVERT_MS, late.signal).then(() => [false])]);
    // The deadline's timer must not outlive the reverts: it would hold the process for its 10 s.
    late.abort();
    const everyFault = s.spec.faults.every((f) => s.injected.some((r) => r.fault === f.name));
    return everyFault && done.every(Boolean);
}

/** The path's rollback (`pulumi destroy` and orphaned reapers), recorded in `s.rollback`; never rejects. */
async function destroyFaultsOf(s: RunState): Promise<void> {
    s.rollback = await s.faultPath.rollback(s).catch(
        (err: unknown): Evidence["rollback"] => ({ performed: true, result: "failed", attempts: 1, cleared_pending_creates: false, duration_ms: 0, error: errorSummary(err) }),
    );
    if (s.rollback.result === "failed") s.errors.push(`rollback: ${s.rollback.error}`);
}

/**
 * Rollback: each fault reverted through its driver at once, then `pulumi destroy` of whatever `up` may have done.
 * Never aborted. When `up` completed and every fault was reverted by its driver and then seen out on its target, the
 * destroy has only state to clear and reapers to disarm: the phase ends there and recovery is watched while the
 * destroy runs (`s.clearing`, awaited before the judgement, so no run ends before it).
 */
async function rollbackPhase(s: RunState): Promise<void> {
    if (!s.upAttempted) return;
    const phase = s.enter("rollback", "rolling back (direct revert, then pulumi destroy)");
    // The watchers of faults going in stop by themselves at their next look (not awaited: rollback waits for nothing).
    s.revertBeganAt = phase.start;
    const watch = watchRevert(s);
    const reverted = (await revertDirectly(s)) && s.upCompleted;
    const destroyed = destroyFaultsOf(s);
    const seenOut = reverted && (await Promise.race([watch.done.then(() => s.revertStartedAt !== null), destroyed.then(() => false)]));
    if (seenOut) {
        s.log("faults reverted by their drivers and seen out; pulumi destroy clears the state while recovery is watched");
        s.clearing = destroyed;
        return;
    }
    await destroyed;
    watch.stop();
    await watch.done;
    s.revertStartedAt ??= phase.start;
}

/** True when every steady-state signal's latest samples, all taken after the rollback finished, pass in a row. */
function steadyAgain(s: RunState, rollbackEnd: number, stable: number): boolean {
    const signals = steadySignals({ spec: s.spec, samples: s.sampler.samples, load: s.loadResults });
    return [...signals.values()].every((pts) => {
        const after = pts.filter((p) => p.t >= rollbackEnd);
        return after.length >= stable && after.slice(-stable).every((p) => p.ok);
    });
}

/** Recovery and cool-down: only when the run went through (completed or stopped); an interruption goes home. */
async function recoveryPhase(s: RunState): Promise<void> {
    const wentThrough = s.outcome.status === "completed" || s.outcome.status === "stopped";
    // A destroy still clearing the state (see rollbackPhase) is judged when it ends, before the verdict.
    const rolledBack = s.rollback.result === "succeeded" || s.clearing !== undefined;
    if (!s.upAttempted || !rolledBack || !wentThrough || s.signal.aborted) return;
    const { timing } = s.spec;
    s.enter("recovery", `waiting for the steady state (deadline ${timing.recoveryDeadline} ms after the revert began)`);
    const stable = stableSamples(timing.sampleInterval);
    const deadline = s.revertStartedAt! + timing.recoveryDeadline;
    const rollbackEnd = s.phases.find((p) => p.name === "rollback")!.end;
    while (!s.signal.aborted && s.clock() < deadline && !steadyAgain(s, rollbackEnd, stable)) {
        await sleep(Math.max(20, timing.sampleInterval), s.signal);
        s.progress(s.clock(), deadline - s.current!.start);
    }
    if (!s.signal.aborted && timing.cooldown > 0) {
        s.enter("cooldown", `watching the steady state for ${timing.cooldown} ms more`);
        await s.observe(timing.cooldown, s.signal);
    }
    if (s.signal.aborted) s.interrupt();
}

/** Judge: stops sampling and load, judges the hypothesis and writes the evidence and reports. */
async function judge(s: RunState): Promise<RunResult> {
    if (s.current && s.current.end === s.current.start) s.current.end = s.clock();
    await s.sampler.stop();
    if (s.loadRun) s.loadReport = await s.loadRun.stop().catch((err: unknown) => (s.errors.push(`load: ${String(err)}`), null));
    const { spec, outcome, stop } = s;
    const spans = faultSpans(s);
    const judgement = evaluate({
        spec,
        samples: s.sampler.samples,
        load: s.loadResults,
        phases: s.phases,
        injectedAt: s.injectedAt,
        faultSpans: spans,
        rollbackStart: s.revertStartedAt,
        outcome: { status: outcome.status, ...(outcome.reason ? { reason: outcome.reason } : {}), ...(stop ? { stop } : {}) },
        rollbackOk: s.rollback.result !== "failed",
    });
    // Redacted here, not only when written: the CLI prints the verdict's reason and violations from this object.
    const evidence = redactDeep(
        buildEvidence({
            runId: s.runId,
            stack: s.opts.stack,
            spec,
            startedAt: s.startedAt,
            finishedAt: new Date(),
            durationMs: s.clock(),
            status: outcome.status,
            judgement,
            phases: s.phases,
            samples: s.sampler.samples,
            load: s.loadResults,
            loadReport: s.loadReport,
            injectedAt: s.injectedAt,
            faultSpans: spans,
            revertBeganAt: s.revertBeganAt,
            revertStartedAt: s.revertStartedAt,
            descriptions: s.exp.descriptions,
            plannedTargets: s.plannedTargets,
            policyViolations: s.policyViolations,
            provenance: s.faultPath.provenance(s),
            stop,
            rollback: s.rollback,
            errors: s.errors,
        }),
        s.exp.secrets,
    );
    // After the rollback and the recovery wait, so neither Grafana nor a trace collector can delay them.
    await publishRun(evidence, spec, (m) => s.log(m, "warn"));
    const files = writeRun(s.outDir, evidence, s.exp.secrets);
    return { evidence, files, exitCode: evidence.exit_code };
}

/**
 * Opens the stack and its experiment and refuses what must not run (a stack that already holds faults, an
 * experiment with nothing to observe): all before anything is touched.
 */
async function openRun(opts: RunOptions): Promise<RunState> {
    const exp = await openExperiment(opts.stack, opts.experiment);
    const held = await heldFaults(exp.stack);
    if (held.length > 0) throw new StackHoldsFaultsError(opts.stack, held);
    refuseUnobservable(exp.spec, "faultline:experiment");
    return new RunState(opts, exp, pulumiPath(exp.stack));
}

/** Refuses an experiment with nothing to observe (no probe, no load) before anything is touched. */
export function refuseUnobservable(spec: RunSubject["spec"], root: string): void {
    if (spec.hypothesis.probes.length === 0 && !spec.load) {
        throw new ExperimentRefusedError(
            `${root}.hypothesis.probes`,
            "a run needs a steady state to observe: add at least one probe under hypothesis.probes, or a load section",
        );
    }
}

/**
 * The phases of a run, in order, with rollback guaranteed: preflight (if the path has one) beside the steady state,
 * inject, the fault window (`action` runs in it, see {@link observeFaults}), rollback in a `finally`, recovery, judge.
 */
export async function runPhases(s: RunState, action?: () => Promise<void>): Promise<RunResult> {
    try {
        await checkBeforeInjecting(s);
        await inject(s);
        await observeFaults(s, action);
    } catch (err) {
        if (s.signal.aborted) s.interrupt();
        else if (!(err instanceof EndRun)) s.fail(err);
    } finally {
        await rollbackPhase(s);
    }
    try {
        await recoveryPhase(s);
    } catch (err) {
        s.errors.push(`recovery: ${String(err)}`);
    }
    // The rollback is never skipped: a destroy that went on through recovery ends before the judgement.
    await s.clearing;
    return await judge(s);
}

/**
 * Runs an experiment against its stack and returns the verdict with its evidence. Holds the stack's lock for the
 * whole run. Throws only before anything was touched (locked stack, invalid spec); after that, every outcome,
 * including errors and interruptions, ends in a rollback and an evidence file.
 */
export async function runExperiment(opts: RunOptions): Promise<RunResult> {
    await refuseIfHalted();
    const release = acquireLock(opts.stack, "faultline run");
    // The halt lever, pulled mid-run, aborts the run like Ctrl-C: it rolls back and ends aborted (runner/halt.ts).
    const halt = watchHalt(opts.signal);
    try {
        return await runPhases(await openRun({ ...opts, signal: halt.signal }));
    } finally {
        halt.stop();
        release();
    }
}

/**
 * Destroys the stack's faults, whatever state an interrupted `up` left: pending creates are cleared first, then
 * reapers of this stack that Pulumi no longer knows about (an inject whose state write never happened) are reverted
 * through their driver. Retries a failed destroy. Never aborted.
 */
export async function rollBack(
    stack: Stack,
    clearPending: boolean,
    log: (m: string, level?: "info" | "warn") => void = () => undefined,
): Promise<Evidence["rollback"]> {
    const start = performance.now();
    let cleared = false;
    let attempts = 0;
    const once = async (): Promise<Evidence["rollback"]> => {
        attempts++;
        // A first attempt after a completed `up` passes false: that state holds no pending operation to look for.
        const r = await destroyFaults(stack, { clearPending: clearPending || attempts > 1 });
        cleared ||= r.clearedPendingCreates;
        if (r.left > 0) throw new RunnerError(`${r.left} resources still in the stack after destroy: ${(await liveResources(stack)).map((x) => x.urn.split("::").pop()).join(", ")}`);
        for (const reaper of await listReapers(stack.name)) {
            const o = await revertReaper(reaper, (m) => log(m));
            log(`orphaned fault ${o.fault}: ${o.detail}`, o.outcome === "failed" ? "warn" : "info");
            if (o.outcome === "failed") throw new RunnerError(o.detail);
        }
        return { performed: true, result: "succeeded", attempts, cleared_pending_creates: cleared, duration_ms: Math.round(performance.now() - start), error: null };
    };
    let error: string;
    try {
        return await pRetry(once, { retries: 2, minTimeout: 1000, onFailedAttempt: (c) => log(`rollback attempt ${c.attemptNumber} failed: ${errorSummary(c.error)}`, "warn") });
    } catch (err) {
        error = errorSummary(err);
    }
    return { performed: true, result: "failed", attempts, cleared_pending_creates: cleared, duration_ms: Math.round(performance.now() - start), error };
}
