import { latencyPercentiles } from "../load/histogram";
import type { LoadResult } from "../load/types";
import type { Sample } from "../probes/sampler";
import type { Evidence } from "./schema";

/** A bucket width that gives a chart about 240 points, between 100 ms and 5 s. */
export function bucketWidth(totalMs: number): number {
    return Math.min(5000, Math.max(100, Math.round(totalMs / 240 / 50) * 50));
}

/**
 * The aggregated timeline the report draws: per bucket, requests, errors, error rate, throughput and latency. From
 * the load's requests when there is load, else from the steady-state probes' samples. The latency percentiles are
 * what a LatencyHistogram of the bucket answers, computed by sorting (`latencyPercentiles`): a histogram per bucket
 * walked for each percentile cost about a second of CPU per timeline of 240 buckets.
 */
export function timeline(points: Array<Pick<LoadResult, "t" | "ok" | "latencyMs">>, totalMs: number, source: "load" | "probes"): Evidence["timeline"] {
    const bucket = bucketWidth(totalMs);
    const n = Math.max(1, Math.ceil(totalMs / bucket));
    const bs = Array.from({ length: n }, () => ({ requests: 0, errors: 0, latencies: [] as number[] }));
    for (const p of points) {
        const b = bs[Math.min(n - 1, Math.max(0, Math.floor(p.t / bucket)))]!;
        b.requests++;
        if (!p.ok) b.errors++;
        if (p.latencyMs > 0) b.latencies.push(p.latencyMs);
    }
    return {
        bucket_ms: bucket,
        source,
        buckets: bs.map((b, i) => {
            const [p50, p95, max] = latencyPercentiles(b.latencies, [50, 95, 100]);
            return {
                t_ms: i * bucket,
                requests: b.requests,
                errors: b.errors,
                error_rate: b.requests ? Math.round((b.errors / b.requests) * 10_000) / 10_000 : 0,
                throughput_rps: Math.round(((b.requests - b.errors) / bucket) * 1000 * 100) / 100,
                latency_p50_ms: p50 ?? null,
                latency_p95_ms: p95 ?? null,
                latency_max_ms: max ?? null,
            };
        }),
    };
}

/** The sampling rate each probe reached and what a sample cost. */
export function samplingStats(samples: Sample[]): Evidence["sampling"] {
    const by = new Map<string, Sample[]>();
    for (const s of samples) by.set(s.probe, [...(by.get(s.probe) ?? []), s]);
    return [...by].map(([probe, xs]) => {
        const span = xs.length > 1 ? (xs.at(-1)!.t - xs[0]!.t) / 1000 : 0;
        return {
            probe,
            samples: xs.length,
            rate_hz: span > 0 ? Math.round(((xs.length - 1) / span) * 10) / 10 : 0,
            mean_cost_ms: Math.round((xs.reduce((a, s) => a + s.latencyMs, 0) / xs.length) * 10) / 10,
        };
    });
}
