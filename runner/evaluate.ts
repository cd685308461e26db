// Judging a run: from the raw timeline (probe samples, load results, phases) to SLO results, expectations, recovery,
// the resilience score and the verdict. Pure functions, so every rule is unit-tested without Docker.
import type { ExperimentSpec } from "../components/experiment";
import { expectationsOf } from "../spec/experiment";
import type { ExpectationResult, SloResult } from "./evidence/schema";
import { latencyPercentiles } from "./load/histogram";
import type { LoadResult } from "./load/types";
import type { Sample } from "./probes/sampler";
import { resilienceScore, type Score } from "./score";

/** A named window of the run, in ms since it started. */
export interface Phase {
    name: "preflight" | "warmup" | "inject" | "fault" | "rollback" | "recovery" | "cooldown";
    start: number;
    end: number;
}

/** The phases during which faults are (or may be) in: `within` expectations look for activation in them. */
export const CHAOS_PHASES = new Set(["inject", "fault", "rollback"]);
/** Phases in which an injected fault is in, before its rollback starts. */
const FAULT_IN_PHASES = new Set(["inject", "fault"]);

/** When one fault was really in: from when it was seen in on its target to when its revert began (run clock). */
export interface FaultSpan {
    fault: string;
    start: number;
    end: number;
    /** `observed`: its driver's observe saw it in; `up-completed`: never seen, so counted from the end of `up`. */
    source: "observed" | "up-completed";
}

/** The span of the run the chaos SLOs are judged on (see `hypothesis.window`). */
export interface ChaosWindow {
    counts: "fault" | "transitions";
    /** Disjoint, sorted spans whose points count. */
    spans: Array<{ start: number; end: number }>;
    start: number;
    end: number;
    /** Total length of the spans. */
    ms: number;
}

/** Merges overlapping spans into disjoint sorted ones. */
function union(spans: Array<{ start: number; end: number }>): Array<{ start: number; end: number }> {
    const out: Array<{ start: number; end: number }> = [];
    for (const x of [...spans].filter((x) => x.end > x.start).sort((a, b) => a.start - b.start)) {
        const last = out.at(-1);
        if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
        else out.push({ start: x.start, end: x.end });
    }
    return out;
}

/**
 * The chaos window: with `window: fault`, the union of the faults' spans (each from seen in to revert begun), so
 * the seconds of `up` before a fault is in and of `destroy` after its revert began do not dilute the verdict; with
 * `window: transitions`, the inject, fault and rollback phases. Null when no fault went in.
 */
export function chaosWindow(o: Pick<Observations, "spec" | "phases" | "faultSpans">): ChaosWindow | null {
    const counts = o.spec.hypothesis.window;
    // Without spans (a caller that did not watch the faults), the fault phase: from the end of `up` to the start of `destroy`.
    const faults = o.faultSpans ?? o.phases.filter((p) => p.name === "fault");
    const spans = union(counts === "fault" ? faults : o.phases.filter((p) => CHAOS_PHASES.has(p.name)));
    if (spans.length === 0) return null;
    return { counts, spans, start: spans[0]!.start, end: spans.at(-1)!.end, ms: spans.reduce((a, x) => a + x.end - x.start, 0) };
}

/** The points whose time falls in one of `spans`. */
export function inSpans<T extends { t: number }>(xs: T[], spans: Array<{ start: number; end: number }>): T[] {
    return xs.filter((x) => spans.some((p) => x.t >= p.start && x.t < p.end));
}

/**
 * The inject and rollback transitions, reported apart from the chaos window: from the start of `up` to the first
 * fault seen in, and from the first revert begun to the end of `destroy`.
 */
export function transitionSpans(o: Pick<Observations, "phases" | "faultSpans">): { inject: { start: number; end: number } | null; rollback: { start: number; end: number } | null } {
    const inject = o.phases.find((p) => p.name === "inject");
    const rollback = o.phases.find((p) => p.name === "rollback");
    const spans = o.faultSpans ?? [];
    const firstIn = spans.length ? Math.min(...spans.map((x) => x.start)) : inject?.end;
    const firstOut = spans.length ? Math.min(...spans.map((x) => x.end)) : rollback?.start;
    return {
        inject: inject && firstIn !== undefined ? { start: inject.start, end: Math.max(inject.start, firstIn) } : null,
        rollback: rollback && firstOut !== undefined ? { start: Math.min(firstOut, rollback.end), end: rollback.end } : null,
    };
}

/** Samples in a row a signal must pass to count as recovered: half a second of samples, at least 3. */
export function stableSamples(sampleIntervalMs: number): number {
    return Math.max(3, Math.ceil(500 / sampleIntervalMs));
}

/** One thing that is either ok or not at a time: a probe's samples, or the load's requests. */
interface Point {
    t: number;
    ok: boolean;
    latencyMs: number;
}

/** The error rate, latency and throughput of a window, from the load when there is one, else from probe samples. */
export interface WindowMetrics {
    count: number;
    errors: number;
    errorRate: number | null;
    latency: Record<string, number | null>;
    throughput: number | null;
}

/**
 * The latency percentiles and maximum of `points`, as a latency histogram of them answers. Runs at every
 * stop-condition check and for every timeline bucket: a histogram per percentile cost 1.8 s of CPU after a one-fault
 * run and 1.3 s during its fault window (profiled), now a sort ({@link latencyPercentiles}).
 */
function latencyOf(points: Point[]): WindowMetrics["latency"] {
    const [p50, p90, p95, p99, max] = latencyPercentiles(points.map((x) => x.latencyMs), [50, 90, 95, 99, 100]);
    return { p50: p50 ?? null, p90: p90 ?? null, p95: p95 ?? null, p99: p99 ?? null, max: max ?? null };
}

/** Metrics of the points in [start, end). */
export function windowMetrics(points: Point[], durationMs: number, hasThroughput: boolean): WindowMetrics {
    const errors = points.filter((p) => !p.ok).length;
    const measured = points.filter((p) => p.latencyMs > 0);
    return {
        count: points.length,
        errors,
        errorRate: points.length ? errors / points.length : null,
        latency: latencyOf(measured),
        throughput: hasThroughput && durationMs > 0 ? ((points.length - errors) / durationMs) * 1000 : null,
    };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Checks the hypothesis' SLOs on one window's metrics. */
export function checkSlos(spec: ExperimentSpec, m: WindowMetrics, window: SloResult["window"]): SloResult[] {
    const slo = spec.hypothesis.slo;
    const chaosWhere = spec.hypothesis.window === "fault" ? "while the faults were in" : "while the faults were in, with up and destroy";
    const where = window === "chaos" ? chaosWhere : window === "steady-state" ? "before injection" : "after recovery";
    const out: SloResult[] = [];
    if (m.errorRate !== null) {
        const passed = m.errorRate <= slo.maxErrorRate;
        out.push({
            slo: "error-rate",
            window,
            limit: slo.maxErrorRate,
            observed: round(m.errorRate, 4),
            unit: "ratio",
            passed,
            message: `error rate ${pct(m.errorRate)} ${where} (${m.errors} of ${m.count}) ${passed ? "≤" : ">"} ${pct(slo.maxErrorRate)}`,
        });
    }
    for (const [key, limit] of Object.entries(slo.latency)) {
        if (limit === undefined) continue;
        const observed = m.latency[key] ?? null;
        if (observed === null) continue;
        const passed = observed <= limit;
        out.push({
            slo: `latency-${key}`,
            window,
            limit,
            observed,
            unit: "ms",
            passed,
            message: `latency ${key} ${observed} ms ${where} ${passed ? "≤" : ">"} ${limit} ms`,
        });
    }
    if (slo.minThroughput !== undefined && m.throughput !== null) {
        const passed = m.throughput >= slo.minThroughput;
        out.push({
            slo: "throughput",
            window,
            limit: slo.minThroughput,
            observed: round(m.throughput, 2),
            unit: "rps",
            passed,
            message: `throughput ${m.throughput.toFixed(1)} req/s ${where} ${passed ? "≥" : "<"} ${slo.minThroughput} req/s`,
        });
    }
    return out;
}

/** Recovery of one signal: the first point after its last failure, if enough passing points follow it. */
export function recoveryOf(points: Point[], rollbackStart: number, until: number, stable: number): { recovered: boolean; timeMs: number | null } {
    const after = points.filter((p) => p.t >= rollbackStart && p.t <= until);
    let lastFail = -1;
    after.forEach((p, i) => {
        if (!p.ok) lastFail = i;
    });
    const streak = after.length - (lastFail + 1);
    if (lastFail === -1) return { recovered: after.length > 0, timeMs: after.length > 0 ? 0 : null };
    if (streak < stable) return { recovered: false, timeMs: null };
    return { recovered: true, timeMs: round(after[lastFail + 1]!.t - rollbackStart, 1) };
}

/** Everything the runner observed, for {@link evaluate}. */
export interface Observations {
    spec: ExperimentSpec;
    samples: Sample[];
    load: LoadResult[];
    phases: Phase[];
    /** Per fault: when it went in (run clock). */
    injectedAt: Record<string, number>;
    /** Per fault: when it was really in, seen in to revert begun (see {@link chaosWindow}); absent when none went in. */
    faultSpans?: FaultSpan[];
    /** When the faults began to be reverted (run clock): recovery is timed from here. Null when nothing was injected. */
    rollbackStart: number | null;
    /** How the run ended before judging: completed, a stop condition, an interruption, or an abort/error with a reason. */
    outcome: { status: "completed" | "stopped" | "interrupted" | "aborted" | "error"; reason?: string; stop?: { metric: string; at: number; message: string } };
    rollbackOk: boolean;
}

/** The judgement of a run. */
export interface Judgement {
    verdict: "held" | "refuted" | "aborted";
    exitCode: 0 | 1 | 2;
    reason: string;
    violations: string[];
    sloResults: SloResult[];
    expectations: ExpectationResult[];
    recovery: {
        recovered: boolean;
        recoveryTimeMs: number | null;
        recoveryTimeP95Ms: number | null;
        successRate: number | null;
        sloCompliance: boolean;
        perSignal: { probe: string; recovered: boolean; recovery_time_ms: number | null }[];
    };
    chaosErrorRate: number | null;
    /** What the chaos SLOs were judged on; null when no fault went in. */
    chaosWindow: ChaosWindow | null;
    /** The inject and rollback transitions' metrics, reported apart (null when the run never got there). */
    transitions: { inject: (WindowMetrics & { start: number; end: number }) | null; rollback: (WindowMetrics & { start: number; end: number }) | null };
    score: Score;
    productionReady: boolean;
}

function phaseWindow(phases: Phase[], names: Set<string>): { start: number; end: number; ms: number } | null {
    const ps = phases.filter((p) => names.has(p.name));
    if (ps.length === 0) return null;
    const ms = ps.reduce((a, p) => a + (p.end - p.start), 0);
    return { start: Math.min(...ps.map((p) => p.start)), end: Math.max(...ps.map((p) => p.end)), ms };
}

function inPhases<T extends { t: number }>(xs: T[], phases: Phase[], names: Set<string>): T[] {
    const ps = phases.filter((p) => names.has(p.name));
    return xs.filter((x) => ps.some((p) => x.t >= p.start && x.t < p.end));
}

/** The signals the steady state is made of: every steady-state probe, and the load when there is one. */
export function steadySignals(o: Pick<Observations, "spec" | "samples" | "load">): Map<string, Point[]> {
    const signals = new Map<string, Point[]>();
    for (const p of o.spec.hypothesis.probes) signals.set(p.name, o.samples.filter((s) => s.probe === p.name));
    if (o.spec.load) signals.set("load", o.load.filter((r) => r.latencyMs > 0 || !r.ok));
    return signals;
}

/** Points of the SLO source: the load's requests if there is load, else every steady-state probe's samples. */
function sloPoints(o: Observations): Point[] {
    if (o.spec.load) return o.load;
    const names = new Set(o.spec.hypothesis.probes.map((p) => p.name));
    return o.samples.filter((s) => names.has(s.probe));
}

/** Checks each fault's expected behaviours on its probes' samples. */
export function checkExpectations(o: Observations): ExpectationResult[] {
    const out: ExpectationResult[] = [];
    for (const f of o.spec.faults) {
        const injected = o.injectedAt[f.name];
        for (const e of expectationsOf(f)) {
            // A negated expectation is seen when its probe fails ("the service is unreachable").
            const mine = o.samples.filter((s) => s.probe === e.probe.name).map((s) => (e.negate ? { ...s, ok: !s.ok, detail: s.ok ? `probe passed: ${s.detail ?? "ok"}` : s.detail } : s));
            const base = { fault: f.name, behaviour: e.behaviour, mode: e.mode, probe: e.probe.name, critical: e.critical };
            if (e.mode === "within") {
                const seen = injected === undefined ? [] : mine.filter((s) => s.t >= injected && CHAOS_PHASES.has(s.phase));
                const first = seen.find((s) => s.ok);
                const activation = first && injected !== undefined ? round(first.t - injected, 1) : null;
                const passed = activation !== null && activation <= e.within;
                out.push({
                    ...base,
                    passed,
                    activation_time_ms: activation,
                    deadline_ms: e.within,
                    samples: seen.length,
                    detail:
                        activation === null
                            ? `never seen while the fault was in (${seen.length} samples${seen.at(-1)?.detail ? `, last: ${seen.at(-1)!.detail}` : ""})`
                            : `seen ${activation} ms after injection (deadline ${e.within} ms)`,
                });
            } else {
                // Throughout: from the fault's injection on, through `up` and the fault window. A fault injected
                // before `up` returns (a pod kill, whose effect lasts seconds) is in from then, not from `up`'s end.
                const seen =
                    e.mode === "throughout"
                        ? injected === undefined
                            ? inPhases(mine, o.phases, new Set(["fault"]))
                            : mine.filter((s) => s.t >= injected && FAULT_IN_PHASES.has(s.phase))
                        : inPhases(mine, o.phases, new Set(["cooldown"]));
                const failed = seen.filter((s) => !s.ok);
                const passed = seen.length > 0 && failed.length === 0;
                const where = e.mode === "throughout" ? "while the fault was in" : "after recovery";
                out.push({
                    ...base,
                    passed,
                    activation_time_ms: null,
                    deadline_ms: null,
                    samples: seen.length,
                    detail:
                        seen.length === 0
                            ? `no samples ${where}${e.mode === "after-recovery" ? "; set timing.cooldown" : ""}`
                            : failed.length === 0
                              ? `held in all ${seen.length} samples ${where}`
                              : `failed ${failed.length} of ${seen.length} samples ${where}; first: ${failed[0]!.detail ?? "failed"}`,
                });
            }
        }
    }
    return out;
}

/** Judges a run. */
export function evaluate(o: Observations): Judgement {
    const spec = o.spec;
    const slo = spec.hypothesis.slo;
    const points = sloPoints(o);
    const hasLoad = spec.load !== undefined;

    const steadyW = phaseWindow(o.phases, new Set(["warmup"]));
    const chaosW = chaosWindow(o);
    const coolW = phaseWindow(o.phases, new Set(["cooldown"]));
    const steadyM = steadyW ? windowMetrics(inPhases(points, o.phases, new Set(["warmup"])), steadyW.ms, hasLoad) : null;
    const chaosM = chaosW ? windowMetrics(inSpans(points, chaosW.spans), chaosW.ms, hasLoad) : null;
    const trans = transitionSpans(o);
    const transition = (w: { start: number; end: number } | null) => (w ? { ...windowMetrics(inSpans(points, [w]), w.end - w.start, hasLoad), ...w } : null);
    const coolM = coolW ? windowMetrics(inPhases(points, o.phases, new Set(["cooldown"])), coolW.ms, hasLoad) : null;

    const sloResults = [
        ...(steadyM ? checkSlos(spec, steadyM, "steady-state") : []),
        ...(chaosM ? checkSlos(spec, chaosM, "chaos") : []),
        ...(coolM ? checkSlos(spec, coolM, "recovery") : []),
    ];
    const expectations = checkExpectations(o);

    // Recovery, per steady-state signal, up to the end of the recovery phase.
    const recoveryEnd = phaseWindow(o.phases, new Set(["recovery"]))?.end ?? phaseWindow(o.phases, new Set(["rollback"]))?.end ?? 0;
    const stable = stableSamples(spec.timing.sampleInterval);
    const perSignal = [...steadySignals(o)].map(([probe, pts]) => {
        const r = o.rollbackStart === null ? { recovered: false, timeMs: null } : recoveryOf(pts, o.rollbackStart, recoveryEnd, stable);
        return { probe, recovered: r.recovered, recovery_time_ms: r.timeMs };
    });
    const recovered = perSignal.length > 0 && perSignal.every((s) => s.recovered);
    const times = perSignal.map((s) => s.recovery_time_ms).filter((t): t is number => t !== null).sort((a, b) => a - b);
    const recoveryTimeMs = recovered ? times.at(-1)! : null;
    const p95 = times.length ? times[Math.min(times.length - 1, Math.ceil(0.95 * times.length) - 1)]! : null;
    const coolPoints = coolW ? inPhases([...points], o.phases, new Set(["cooldown"])) : [];
    const successRate = coolPoints.length ? round(coolPoints.filter((p) => p.ok).length / coolPoints.length, 4) : null;
    const coolSlosOk = sloResults.filter((r) => r.window === "recovery").every((r) => r.passed);
    const recoveryWithinSlo = recoveryTimeMs !== null && recoveryTimeMs <= slo.recoveryTime;
    const sloCompliance = recovered && recoveryWithinSlo && coolSlosOk;

    // The score is computed even for aborted runs, from what was observed; it only counts for a verdict.
    const chaosHeld = sloResults.filter((r) => r.window === "chaos").every((r) => r.passed);
    // The hypothesis itself (every chaos-window SLO held) counts as one expected behaviour besides the declared ones.
    const expectedBehaviour = (expectations.filter((e) => e.passed).length + (chaosHeld ? 1 : 0)) / (expectations.length + 1);
    const score = resilienceScore(
        {
            expectedBehaviour,
            recovered: perSignal.length ? perSignal.filter((s) => s.recovered).length / perSignal.length : 0,
            recoveryTimeMs: p95,
            recoverySloMs: slo.recoveryTime,
            recoveryDeadlineMs: spec.timing.recoveryDeadline,
            errorRate: chaosM?.errorRate ?? null,
            maxErrorRate: slo.maxErrorRate,
        },
        spec.score.weights,
    );

    const violations: string[] = [];
    if (o.outcome.stop) violations.push(`stop condition: ${o.outcome.stop.message}`);
    for (const r of sloResults.filter((r) => r.window === "chaos" && !r.passed)) violations.push(`SLO ${r.slo} violated: ${r.message}`);
    const injected = Object.keys(o.injectedAt).length > 0;
    for (const e of expectations.filter((e) => injected && !e.passed)) violations.push(`expected behaviour of ${e.fault} not seen: "${e.behaviour}": ${e.detail}`);
    const aborted = o.outcome.status === "interrupted" || o.outcome.status === "aborted" || o.outcome.status === "error";
    if (!aborted) {
        if (!recovered) {
            const stuck = perSignal.filter((s) => !s.recovered).map((s) => s.probe);
            violations.push(`SLO recovery-time violated: ${stuck.join(", ")} not back to steady state within the recovery deadline (${spec.timing.recoveryDeadline} ms)`);
        } else if (!recoveryWithinSlo) {
            violations.push(`SLO recovery-time violated: recovered in ${recoveryTimeMs} ms > ${slo.recoveryTime} ms`);
        }
        for (const r of sloResults.filter((r) => r.window === "recovery" && !r.passed)) violations.push(`SLO ${r.slo} violated after recovery: ${r.message}`);
    }
    if (!o.rollbackOk) violations.push("rollback failed: run `faultline recover`");

    let verdict: Judgement["verdict"];
    let reason: string;
    if (aborted || !o.rollbackOk) {
        verdict = "aborted";
        reason = o.outcome.reason ?? (o.rollbackOk ? o.outcome.status : "rollback failed: run `faultline recover`");
    } else if (violations.length > 0) {
        verdict = "refuted";
        reason = violations[0]!;
    } else {
        verdict = "held";
        reason = `hypothesis held: every SLO met while the faults were in${expectations.length ? `, ${expectations.length} expected behaviour(s) seen` : ""}, recovered in ${recoveryTimeMs} ms`;
    }
    return {
        verdict,
        exitCode: verdict === "held" ? 0 : verdict === "refuted" ? 1 : 2,
        reason,
        violations,
        sloResults,
        expectations,
        recovery: { recovered, recoveryTimeMs, recoveryTimeP95Ms: p95, successRate, sloCompliance, perSignal },
        chaosErrorRate: chaosM?.errorRate ?? null,
        chaosWindow: chaosW,
        transitions: { inject: transition(trans.inject), rollback: transition(trans.rollback) },
        score,
        productionReady: verdict === "held" && score.overall >= spec.score.productionReady,
    };
}

function round(x: number, digits: number): number {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}
