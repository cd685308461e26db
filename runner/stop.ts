import type { ExperimentSpec } from "../components/experiment";
import type { StopConditionSpec } from "../spec/experiment";
import { windowMetrics } from "./evaluate";
import type { LoadResult } from "./load/types";
import type { Sample } from "./probes/sampler";

/** A stop condition that fired. */
export interface StopTrigger {
    metric: string;
    at: number;
    message: string;
}

/** The window stop conditions on rates and latencies look at, ending at each check. */
export const STOP_WINDOW_MS = 1000;

/**
 * Watches stop conditions during the fault window. `probe` conditions count consecutive failed samples of their
 * probe; error-rate, latency and throughput conditions are checked every `checkEveryMs` over the last second of
 * load requests (or steady-state samples), and fire after `samples` consecutive breaching checks.
 */
export class StopWatcher {
    private readonly failsInRow = new Map<string, number>();
    private readonly breachesInRow = new Map<number, number>();
    private readonly points: Array<{ t: number; ok: boolean; latencyMs: number }> = [];
    private readonly steady: Set<string>;
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
        if (!this.spec.load) this.points.push(s);
        const n = s.ok ? 0 : (this.failsInRow.get(s.probe) ?? 0) + 1;
        this.failsInRow.set(s.probe, n);
        for (const c of this.spec.stopConditions) {
            if (c.metric === "probe" && c.probe === s.probe && n >= c.samples) {
                this.fire({ metric: "probe", at: s.t, message: `probe ${s.probe} failed ${n} samples in a row (limit ${c.samples}): ${s.detail ?? "failed"}` });
            }
        }
    }

    onLoad(r: LoadResult): void {
        this.points.push(r);
    }

    /** Checks the rate and latency conditions at time `now` (run clock). */
    check(now: number): void {
        while (this.points.length && this.points[0]!.t < now - STOP_WINDOW_MS * 4) this.points.shift();
        const recent = this.points.filter((p) => p.t >= now - STOP_WINDOW_MS && p.t <= now);
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
            if (c.metric === "probe") return;
            const n = breach ? (this.breachesInRow.get(i) ?? 0) + 1 : 0;
            this.breachesInRow.set(i, n);
            if (breach && n >= c.samples) this.fire({ metric: c.metric, at: now, message: `${breach} for ${n} checks in a row (limit ${c.samples})` });
        });
    }
}
