import type { ExperimentSpec } from "../components/experiment";
import type { StopConditionSpec } from "../spec/experiment";
import { windowMetrics } from "./evaluate";
import type { LoadResult } from "./load/types";
import { PROMQL_STOP_EVERY_MS, promqlBreach } from "./probes/prometheus";
import type { Sample } from "./probes/sampler";

/** A stop condition that fired. */
export interface StopTrigger {
    metric: string;
    /** When it fired (run clock). */
    at: number;
    /** When the last sample or request that made it fire became known (it ended, or its deadline passed). */
    observableAt: number;
    message: string;
}

/** One point a stop condition looks at, placed at the moment its outcome became known. */
interface Known {
    /** When the outcome became known: the end of the sample or request, or its deadline (run clock). */
    at: number;
    ok: boolean;
    latencyMs: number;
    t: number;
}

/** A sample or request placed when its outcome became known: its start (or due time) plus its latency. */
const knownAt = (p: { t: number; ok: boolean; latencyMs: number }): Known => ({ t: p.t, ok: p.ok, latencyMs: p.latencyMs, at: p.t + p.latencyMs });

/** The window stop conditions on rates and latencies look at, ending at each check. */
export const STOP_WINDOW_MS = 1000;

/**
 * Watches stop conditions during the fault window. `probe` conditions count consecutive failed samples of their
 * probe; error-rate, latency and throughput conditions are checked every `checkEveryMs` over the load requests (or
 * steady-state samples) whose outcome became known in the last second, and fire after `samples` consecutive
 * breaching checks. A request or sample past its timeout is known as failed at its deadline (the load generator and
 * the probes end it there), so a hanging dependency fires a condition as fast as fast errors do.
 */
export class StopWatcher {
    private readonly failsInRow = new Map<string, number>();
    private readonly breachesInRow = new Map<number, number>();
    private readonly points: Known[] = [];
    private readonly steady: Set<string>;
    /** PromQL conditions by index: when to query next, whether a query is out, and answers not yet counted. */
    private readonly promql = new Map<number, { next: number; inFlight: boolean; answers: Array<string | undefined> }>();
    triggered: StopTrigger | undefined;

    constructor(
        private readonly spec: ExperimentSpec,
        private readonly onTrigger: (t: StopTrigger) => void,
    ) {
        this.steady = new Set(spec.hypothesis.probes.map((p) => p.name));
    }

    private fire(t: StopTrigger): void {
        if (this.triggered) return;
        this.triggered = t;
        this.onTrigger(t);
    }

    onSample(s: Sample): void {
        if (!this.steady.has(s.probe)) return;
        if (!this.spec.load) this.points.push(knownAt(s));
        const n = s.ok ? 0 : (this.failsInRow.get(s.probe) ?? 0) + 1;
        this.failsInRow.set(s.probe, n);
        for (const c of this.spec.stopConditions) {
            if (c.metric === "probe" && c.probe === s.probe && n >= c.samples) {
                this.fire({ metric: "probe", at: s.t + s.latencyMs, observableAt: s.t + s.latencyMs, message: `probe ${s.probe} failed ${n} samples in a row (limit ${c.samples}): ${s.detail ?? "failed"}` });
            }
        }
    }

    onLoad(r: LoadResult): void {
        this.points.push(knownAt(r));
    }

    /** Checks the rate and latency conditions at time `now` (run clock). */
    check(now: number): void {
        this.checkPromql(now);
        while (this.points.length && this.points[0]!.at < now - STOP_WINDOW_MS * 4) this.points.shift();
        const recent = this.points.filter((p) => p.at >= now - STOP_WINDOW_MS && p.at <= now);
        if (recent.length === 0) return;
        const m = windowMetrics(recent, STOP_WINDOW_MS, this.spec.load !== undefined);
        this.spec.stopConditions.forEach((c: StopConditionSpec, i) => {
            let breach: string | undefined;
            if (c.metric === "error-rate" && m.errorRate !== null && m.errorRate > c.above) {
                breach = `error rate ${(m.errorRate * 100).toFixed(1)}% > ${(c.above * 100).toFixed(1)}%`;
            } else if (c.metric === "latency") {
                const v = m.latency[`p${c.percentile}`];
                if (v !== null && v !== undefined && v > c.above) breach = `latency p${c.percentile} ${v} ms > ${c.above} ms`;
            } else if (c.metric === "throughput" && m.throughput !== null && m.throughput < c.below) {
                breach = `throughput ${m.throughput.toFixed(1)} req/s < ${c.below} req/s`;
            }
            if (c.metric === "probe" || c.metric === "promql") return;
            const n = breach ? (this.breachesInRow.get(i) ?? 0) + 1 : 0;
            this.breachesInRow.set(i, n);
            const observableAt = Math.max(...recent.map((p) => p.at));
            if (breach && n >= c.samples) this.fire({ metric: c.metric, at: now, observableAt, message: `${breach} for ${n} checks in a row (limit ${c.samples})` });
        });
    }

    /**
     * PromQL conditions: a query every second, in the background; its answer is counted at the next check, so a
     * condition fires only from check(), that is only during the fault window.
     */
    private checkPromql(now: number): void {
        this.spec.stopConditions.forEach((c, i) => {
            if (c.metric !== "promql") return;
            let st = this.promql.get(i);
            if (!st) this.promql.set(i, (st = { next: now, inFlight: false, answers: [] }));
            for (const breach of st.answers.splice(0)) {
                const n = breach ? (this.breachesInRow.get(i) ?? 0) + 1 : 0;
                this.breachesInRow.set(i, n);
                // Counted at the first check after the answer arrived: that check is when it became observable here.
                if (breach && n >= c.samples) this.fire({ metric: "promql", at: now, observableAt: now, message: `${breach} for ${n} queries in a row (limit ${c.samples})` });
            }
            if (st.inFlight || now < st.next) return;
            const state = st;
            state.inFlight = true;
            state.next = now + PROMQL_STOP_EVERY_MS;
            void promqlBreach(c).then((b) => {
                state.answers.push(b);
                state.inFlight = false;
            });
        });
    }
}
