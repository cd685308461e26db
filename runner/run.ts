// The game-day runner: policy check → steady state before → up → observe with stop conditions → destroy → recovery
// check → verdict. Rollback is guaranteed: it runs in a `finally` that no signal reaches, after success, failure, a
// stop condition, an abort (SIGINT/SIGTERM in the CLI) and an exception.
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { parseSpec } from "../components/core/errors";
import { ExperimentSpec } from "../components/experiment";
import { expectationsOf, faultSpecOf } from "../spec/experiment";
import { driverFor } from "../components/registry";
import { checkSlos, evaluate, stableSamples, steadySignals, windowMetrics, type Phase } from "./evaluate";
import { buildEvidence } from "./evidence/build";
import type { Evidence } from "./evidence/schema";
import { RUNS_DIR, writeRun, type RunFiles } from "./evidence/store";
import { ExperimentRefusedError, RunnerError, StackHoldsFaultsError } from "./errors";
import { startExperimentLoad, type LoadReport, type LoadResult, type LoadRun } from "./load";
import { acquireLock } from "./lock";
import { createProbe } from "./probes";
import { Sampler, type Sample } from "./probes/sampler";
import { liveResources, openStack, policyPacks, readExperimentConfig } from "./pulumi";
import { destroyFaults, listReapers, revertReaper } from "./recover";
import { redactDeep, secretValues } from "./redact";
import { StopWatcher, type StopTrigger } from "./stop";

/** What the runner reports while it works. */
export type RunEvent =
    | { type: "phase"; phase: Phase["name"]; t: number; message: string }
    | { type: "progress"; phase: Phase["name"]; elapsedMs: number; totalMs: number; failuresLastSecond: number; samples: number }
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

/** Thrown inside the run to end the active part early with an outcome already recorded. */
class EndRun extends Error {
    override name = "EndRun";
}

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

/** The first lines of an error, without the Automation API's command dump. */
export function errorSummary(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    const stderr = /stderr: ([\s\S]*?)(?:\n\s*err\?:|$)/.exec(text)?.[1];
    const lines = (stderr ?? text).split("\n").map((l) => l.trim()).filter((l) => l && !/^(code|stdout|stderr):/.test(l));
    const interesting = lines.filter((l) => /error|violat|mandatory|advisory|refus/i.test(l));
    return (interesting.length ? interesting : lines).slice(0, 6).join(" | ").slice(0, 1200);
}

/** Loads and validates the experiment of a stack (its config, or `override`). */
export async function loadExperiment(stack: Stack, override?: unknown): Promise<{ spec: ExperimentSpec }> {
    const raw = override ?? (await readExperimentConfig(stack));
    if (raw === undefined) {
        throw new ExperimentRefusedError("faultline:experiment", `stack "${stack.name}" has no experiment; add it to stacks/Pulumi.${stack.name}.yaml`);
    }
    const spec = parseSpec(ExperimentSpec, raw, "experiment", "faultline:experiment");
    // The spec holds faults to the window only when timing.duration is written; a run always has a window.
    const short = spec.faults.find((f) => f.ttl < spec.timing.duration);
    if (short) {
        throw new ExperimentRefusedError(
            `faultline:experiment.faults.${short.name}.ttl`,
            `the ttl (${short.ttl} ms) is shorter than the fault window (timing.duration, ${spec.timing.duration} ms): its reaper would revert it mid-window; raise the ttl or shorten timing.duration`,
        );
    }
    return { spec };
}

/** One sentence per fault: what it will break, from its driver (kinds without one are named by their kind). */
export function describeFaults(spec: ExperimentSpec): Record<string, string> {
    return Object.fromEntries(
        spec.faults.map((f) => {
            try {
                const driver = driverFor(f.kind);
                return [f.name, driver.describe(driver.schema.parse(faultSpecOf(f)))];
            } catch {
                return [f.name, f.kind];
            }
        }),
    );
}

/** The targets each fault resource resolved at preview (from the engine's events), for the blast-radius check. */
function collectTargets(into: Array<{ fault: string; target: string }>) {
    return (e: EngineEvent) => {
        const meta = e.resourcePreEvent?.metadata;
        const inputs = meta?.new?.inputs as { targets?: Array<{ name: string }>; owner?: { fault?: string } } | undefined;
        if (!meta || !meta.type.includes("faultline:") || !inputs?.targets) return;
        for (const t of inputs.targets) into.push({ fault: inputs.owner?.fault ?? meta.urn.split("::").pop() ?? "", target: t.name });
    };
}

/**
 * What a stack already holds before a run: resources in its state (another `pulumi up`, or a run that never rolled
 * back) and faults armed in its reapers that the state does not know (an `up` killed mid-way). A run on top of them
 * would judge their effect together with its own.
 */
export async function heldFaults(stack: Stack): Promise<string[]> {
    const inState = (await liveResources(stack)).map((r) => `${r.urn.split("::").pop()} (${r.type.split(":").pop()})`);
    // A fault in the state is armed too: only the armed ones the state does not hold are listed on their own.
    const deployment = (await stack.exportStack()).deployment as { resources?: Array<{ id?: string }> };
    const ids = new Set((deployment.resources ?? []).map((r) => r.id));
    const armed = (await listReapers(stack.name)).filter((r) => !ids.has(r.id)).map((r) => `${r.fault} (${r.kind}, armed in reaper ${r.name})`);
    return [...inState, ...armed];
}

/** The stack's Pulumi secret config values, which every printed or written output redacts. */
export async function stackSecrets(stack: Stack): Promise<string[]> {
    return secretValues(await stack.getAllConfig());
}

/**
 * Runs an experiment against its stack and returns the verdict with its evidence. Holds the stack's lock for the
 * whole run. Throws only before anything was touched (locked stack, invalid spec); after that, every outcome,
 * including errors and interruptions, ends in a rollback and an evidence file.
 */
export async function runExperiment(opts: RunOptions): Promise<RunResult> {
    const release = acquireLock(opts.stack, "faultline run");
    try {
        return await runLocked(opts);
    } finally {
        release();
    }
}

async function runLocked(opts: RunOptions): Promise<RunResult> {
    // Set once the stack's secrets are known; until then only the patterns of redact.ts apply.
    let secrets: readonly string[] = [];
    const emit = (e: RunEvent) => {
        try {
            // Samples are redacted with the evidence; everything else may be printed as it comes.
            opts.onEvent?.(e.type === "sample" ? e : redactDeep(e, secrets));
        } catch {
            // a broken listener must never break a rollback
        }
    };
    const log = (message: string, level: "info" | "warn" = "info") => emit({ type: "log", level, message });
    const stack = await openStack(opts.stack, opts.experiment !== undefined ? { experiment: opts.experiment } : {});
    const { spec } = await loadExperiment(stack, opts.experiment);
    const held = await heldFaults(stack);
    if (held.length > 0) throw new StackHoldsFaultsError(opts.stack, held);
    secrets = await stackSecrets(stack);
    if (spec.hypothesis.probes.length === 0 && !spec.load) {
        throw new ExperimentRefusedError(
            "faultline:experiment.hypothesis.probes",
            "a run needs a steady state to observe: add at least one probe under hypothesis.probes, or a load section",
        );
    }
    const runId = newRunId();
    const outDir = opts.outDir ?? path.join(RUNS_DIR, opts.stack, runId);
    const startedAt = new Date();
    const wall0 = Date.now();
    const t0 = performance.now();
    const clock = () => performance.now() - t0;
    const signal = opts.signal;

    const phases: Phase[] = [];
    let current: Phase | undefined;
    const enter = (name: Phase["name"], message: string) => {
        const now = clock();
        // A phase closed early (the warm-up at its steady-state check) keeps its end: what was judged is what it holds.
        if (current && current.end === current.start) current.end = now;
        current = { name, start: now, end: now };
        phases.push(current);
        emit({ type: "phase", phase: name, t: now, message });
    };

    let outcome: { status: Evidence["status"]; reason?: string } = { status: "completed" };
    const interrupt = () => {
        if (outcome.status === "completed" || outcome.status === "stopped") {
            const reason = signal?.reason instanceof Error ? signal.reason.message : typeof signal?.reason === "string" ? signal.reason : "aborted";
            outcome = { status: "interrupted", reason: `interrupted (${reason}) during ${current?.name ?? "start"}; faults rolled back` };
        }
    };
    const errors: string[] = [];
    const injectedAt: Record<string, number> = {};
    const plannedTargets: Array<{ fault: string; target: string }> = [];
    const descriptions = describeFaults(spec);
    let stop: StopTrigger | null = null;
    let upAttempted = false;
    let upCompleted = false;
    let rollbackStart: number | null = null;
    /** When the faults were seen reverted on the target (run clock); recovery is timed from here. */
    let revertStartedAt: number | null = null;
    /** The revert records of the injected faults, from `up`, to watch the revert happen during rollback. */
    const records: Array<{ kind: string; record: unknown }> = [];
    let rollback: Evidence["rollback"] = { performed: false, result: "not-needed", attempts: 0, cleared_pending_creates: false, duration_ms: 0, error: null };

    // Stop conditions end the fault window early, through the same path as an interruption, but keep the verdict.
    const stopCtl = new AbortController();
    const watcher = new StopWatcher(spec, (t) => {
        stop = t;
        emit({ type: "stop", trigger: t });
        stopCtl.abort();
    });
    const probes = [...spec.hypothesis.probes, ...spec.faults.flatMap((f) => expectationsOf(f).map((e) => e.probe))].map((p) => createProbe(p));
    const sampler = new Sampler(probes, {
        intervalMs: spec.timing.sampleInterval,
        clock,
        phase: () => current?.name ?? "preflight",
        onSample: (s) => {
            if (current?.name === "fault") watcher.onSample(s);
            emit({ type: "sample", sample: s });
        },
    });
    const loadResults: LoadResult[] = [];
    let loadRun: LoadRun | undefined;
    let loadReport: LoadReport | null = null;
    const steadyNames = new Set(spec.hypothesis.probes.map((p) => p.name));

    /** Waits `ms` in the current phase, reporting progress each second; ends early on `until` or an abort. */
    const observe = async (ms: number, abort: AbortSignal, every?: (now: number) => void) => {
        const phase = current!;
        const end = phase.start + ms;
        let nextProgress = clock() + 1000;
        const step = Math.max(50, Math.min(spec.timing.sampleInterval, 250));
        while (!abort.aborted && clock() < end) {
            await sleep(Math.min(step, end - clock()), abort);
            const now = clock();
            every?.(now);
            if (now >= nextProgress) {
                nextProgress += 1000;
                const recent = sampler.samples.filter((s) => s.t >= now - 1000 && steadyNames.has(s.probe));
                emit({ type: "progress", phase: phase.name, elapsedMs: now - phase.start, totalMs: ms, failuresLastSecond: recent.filter((s) => !s.ok).length, samples: recent.length });
            }
        }
    };

    try {
        enter("preflight", "policy check and plan (pulumi preview)");
        const packs = policyPacks();
        try {
            await stack.preview({ ...(packs.length ? { policyPacks: packs } : {}), onEvent: collectTargets(plannedTargets), ...(signal ? { signal } : {}) });
        } catch (err) {
            if (signal?.aborted) throw err;
            outcome = { status: "aborted", reason: `${packs.length ? "policy check or preview" : "preview"} failed, nothing was injected: ${errorSummary(err)}` };
            throw new EndRun();
        }
        const max = spec.blastRadius.maxTargets;
        if (max !== undefined && plannedTargets.length > max) {
            outcome = { status: "aborted", reason: `blast radius exceeded, nothing was injected: the faults would hit ${plannedTargets.length} targets (${plannedTargets.map((t) => t.target).join(", ")}) > blastRadius.maxTargets ${max}` };
            throw new EndRun();
        }
        if (signal?.aborted) throw new EndRun();

        sampler.start();
        if (spec.load) {
            const t = spec.timing;
            // Bounded by time and count: the configured windows, the recovery deadline and a margin for up/destroy.
            const maxDurationMs = t.warmup + t.duration + t.recoveryDeadline + t.cooldown + 180_000;
            loadRun = startExperimentLoad(spec.load, {
                clock,
                maxDurationMs,
                maxRequests: Math.ceil((spec.load.rate * maxDurationMs) / 1000),
                onResult: (r) => {
                    loadResults.push(r);
                    if (current?.name === "fault") watcher.onLoad(r);
                },
            });
        }

        enter("warmup", `measuring the steady state for ${spec.timing.warmup} ms`);
        await observe(spec.timing.warmup, signal ?? new AbortController().signal);
        // Every steady-state probe needs at least one sample before the steady state can be judged.
        for (let i = 0; i < 100 && !signal?.aborted; i++) {
            const seen = new Set(sampler.samples.map((s) => s.probe));
            if ([...steadyNames].every((n) => seen.has(n)) && (!spec.load || loadResults.length > 0)) break;
            await sleep(50, signal);
        }
        if (signal?.aborted) throw new EndRun();
        const warm = current!;
        warm.end = clock();
        const warmPoints = spec.load ? loadResults.filter((r) => r.t >= warm.start) : sampler.samples.filter((s) => steadyNames.has(s.probe) && s.t >= warm.start);
        const steadyBroken = checkSlos(spec, windowMetrics(warmPoints, Math.max(1, warm.end - warm.start), spec.load !== undefined), "steady-state").filter((r) => !r.passed);
        const deadProbes = [...steadyNames].filter((n) => !sampler.samples.some((s) => s.probe === n && s.t >= warm.start && s.ok));
        if (steadyBroken.length || deadProbes.length) {
            const why = [...steadyBroken.map((r) => r.message), ...deadProbes.map((n) => `probe ${n} never passed: ${[...sampler.samples].reverse().find((s) => s.probe === n)?.detail ?? "no sample"}`)];
            outcome = { status: "aborted", reason: `steady state not met before injection, nothing was injected: ${why.join("; ")}` };
            throw new EndRun();
        }

        enter("inject", "injecting the faults (pulumi up)");
        upAttempted = true;
        await stack.up({
            ...(packs.length ? { policyPacks: packs } : {}),
            ...(signal ? { signal } : {}),
            onEvent: (e) => {
                const outs = e.resOutputsEvent?.metadata.new?.outputs as { injectedAt?: string; owner?: { fault?: string }; kind?: string; record?: unknown } | undefined;
                if (outs?.injectedAt && outs.owner?.fault) injectedAt[outs.owner.fault] = Date.parse(outs.injectedAt) - wall0;
                if (outs?.kind && outs.record !== undefined) records.push({ kind: outs.kind, record: outs.record });
            },
        });
        upCompleted = true;
        // Faults whose injection time the engine did not report count from the end of `up`.
        for (const f of spec.faults) injectedAt[f.name] ??= clock();

        enter("fault", `faults in for ${spec.timing.duration} ms`);
        const windowAbort = signal ? AbortSignal.any([signal, stopCtl.signal]) : stopCtl.signal;
        const checkEvery = Math.max(spec.timing.sampleInterval, 100);
        let nextCheck = clock() + checkEvery;
        await observe(spec.timing.duration, windowAbort, (now) => {
            if (now >= nextCheck) {
                nextCheck = now + checkEvery;
                watcher.check(now);
            }
        });
        if (stop) outcome = { status: "stopped", reason: `stop condition: ${(stop as StopTrigger).message}` };
        if (signal?.aborted) interrupt();
    } catch (err) {
        if (signal?.aborted) interrupt();
        else if (!(err instanceof EndRun)) {
            outcome = { status: "error", reason: `the run failed during ${current?.name ?? "start"}: ${errorSummary(err)}` };
            errors.push(`${current?.name ?? "start"}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`.slice(0, 4000));
        }
    } finally {
        if (upAttempted) {
            enter("rollback", "rolling back (pulumi destroy)");
            rollbackStart = current!.start;
            // Recovery is timed from when the engine starts reverting the (last) fault, not from when `destroy`
            // was called: the time Pulumi takes to get there is not the system's.
            // Recovery is timed from when the faults are seen gone on the target (each driver's observe), not from
            // when `destroy` is called: Pulumi's start-up is not the system's recovery time. Engine events are no
            // clock for this: they reach the Automation API late, sometimes after the target already recovered.
            let polling = true;
            const poll = (async () => {
                while (polling && records.length > 0) {
                    const at = clock();
                    try {
                        const seen = await Promise.all(records.map((r) => driverFor(r.kind).observe(r.record)));
                        if (seen.every((o) => !o.active)) {
                            revertStartedAt = at;
                            return;
                        }
                    } catch {
                        // the target may be mid-change; look again
                    }
                    await sleep(Math.max(50, spec.timing.sampleInterval));
                }
            })();
            rollback = await rollBack(stack, !upCompleted, log);
            polling = false;
            await poll;
            revertStartedAt ??= rollbackStart;
            if (rollback.result === "failed") errors.push(`rollback: ${rollback.error}`);
        }
    }

    // Recovery and cool-down: only when the run went through (completed or stopped); an interruption goes home.
    try {
        if (rollbackStart !== null && rollback.result === "succeeded" && (outcome.status === "completed" || outcome.status === "stopped") && !signal?.aborted) {
            enter("recovery", `waiting for the steady state (deadline ${spec.timing.recoveryDeadline} ms after the revert began)`);
            const stable = stableSamples(spec.timing.sampleInterval);
            const deadline = revertStartedAt! + spec.timing.recoveryDeadline;
            const abort = signal ?? new AbortController().signal;
            while (!abort.aborted && clock() < deadline) {
                const signals = steadySignals({ spec, samples: sampler.samples, load: loadResults });
                const rollbackEnd = phases.find((p) => p.name === "rollback")!.end;
                // Recovered when every signal's latest samples, all taken after the rollback finished, pass in a row.
                const ready = [...signals.values()].every((pts) => {
                    const after = pts.filter((p) => p.t >= rollbackEnd);
                    return after.length >= stable && after.slice(-stable).every((p) => p.ok);
                });
                if (ready) break;
                await sleep(Math.max(20, spec.timing.sampleInterval), abort);
            }
            if (!signal?.aborted && spec.timing.cooldown > 0) {
                enter("cooldown", `watching the steady state for ${spec.timing.cooldown} ms more`);
                await observe(spec.timing.cooldown, abort);
            }
            if (signal?.aborted) interrupt();
        }
    } catch (err) {
        errors.push(`recovery: ${String(err)}`);
    }
    if (current && current.end === current.start) current.end = clock();
    await sampler.stop();
    if (loadRun) loadReport = await loadRun.stop().catch((err: unknown) => (errors.push(`load: ${String(err)}`), null));

    const judgement = evaluate({
        spec,
        samples: sampler.samples,
        load: loadResults,
        phases,
        injectedAt,
        rollbackStart: revertStartedAt,
        outcome: { status: outcome.status, ...(outcome.reason ? { reason: outcome.reason } : {}), ...(stop ? { stop } : {}) },
        rollbackOk: rollback.result !== "failed",
    });
    const finishedAt = new Date();
    // Redacted here, not only when written: the CLI prints the verdict's reason and violations from this object.
    const evidence = redactDeep(buildEvidence({
        runId,
        stack: opts.stack,
        spec,
        startedAt,
        finishedAt,
        durationMs: clock(),
        status: outcome.status,
        judgement,
        phases,
        samples: sampler.samples,
        load: loadResults,
        loadReport,
        injectedAt,
        revertStartedAt,
        descriptions,
        plannedTargets,
        stop,
        rollback,
        errors,
    }), secrets);
    const files = writeRun(outDir, evidence, secrets);
    return { evidence, files, exitCode: evidence.exit_code };
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
    let error: string | null = null;
    let attempts = 0;
    for (attempts = 1; attempts <= 3; attempts++) {
        try {
            const r = await destroyFaults(stack, { clearPending: clearPending || attempts > 1 });
            cleared ||= r.clearedPendingCreates;
            if (r.left === 0) {
                for (const reaper of await listReapers(stack.name)) {
                    const o = await revertReaper(reaper, (m) => log(m));
                    log(`orphaned fault ${o.fault}: ${o.detail}`, o.outcome === "failed" ? "warn" : "info");
                    if (o.outcome === "failed") throw new RunnerError(o.detail);
                }
                return { performed: true, result: "succeeded", attempts, cleared_pending_creates: cleared, duration_ms: Math.round(performance.now() - start), error: null };
            }
            error = `${r.left} resources still in the stack after destroy: ${(await liveResources(stack)).map((x) => x.urn.split("::").pop()).join(", ")}`;
        } catch (err) {
            error = errorSummary(err);
        }
        log(`rollback attempt ${attempts} failed: ${error}`, "warn");
        await sleep(1000 * attempts);
    }
    return { performed: true, result: "failed", attempts: attempts - 1, cleared_pending_creates: cleared, duration_ms: Math.round(performance.now() - start), error };
}
