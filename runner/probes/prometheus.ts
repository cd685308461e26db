import type { z } from "zod";
import type { PrometheusProbeSpec } from "../../spec/probe";
import { timedProbe, type Probe, type ProbeResult } from "./types";

/** One series of an instant query's result: its labels and its value (NaN and ±Inf as JavaScript numbers). */
export interface PromSeries {
    labels: Record<string, string>;
    value: number;
}

/** A PromQL evaluation that Prometheus refused or could not answer, with its reason in one line. */
export class PromQueryError extends Error {
    override name = "PromQueryError";
}

/** Prometheus' answer to /api/v1/query, the parts read here. */
interface QueryResponse {
    status: "success" | "error";
    error?: string;
    errorType?: string;
    data?: { resultType: string; result: unknown };
}

/**
 * Evaluates `query` now, at Prometheus `url` (its HTTP API, `GET /api/v1/query`), within `timeoutMs`. A scalar is one
 * series without labels; a vector is its series; a range vector or a string is refused (not a condition's input).
 */
export async function queryPrometheus(url: string, query: string, timeoutMs: number): Promise<PromSeries[]> {
    const endpoint = new URL("api/v1/query", url.endsWith("/") ? url : `${url}/`);
    endpoint.searchParams.set("query", query);
    const res = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
    const text = await res.text();
    let body: QueryResponse;
    try {
        body = JSON.parse(text) as QueryResponse;
    } catch {
        throw new PromQueryError(`HTTP ${res.status} from ${endpoint.origin}${endpoint.pathname} is not Prometheus' JSON: ${text.slice(0, 120)}`);
    }
    if (body.status !== "success" || !body.data) throw new PromQueryError(`PromQL ${body.errorType ?? "error"}: ${body.error ?? `HTTP ${res.status}`}`);
    const { resultType, result } = body.data;
    if (resultType === "scalar") return [{ labels: {}, value: Number((result as [number, string])[1]) }];
    if (resultType === "vector") {
        return (result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
    }
    throw new PromQueryError(`the query returns a ${resultType}, not an instant vector or scalar; wrap a range selector in rate(), avg_over_time() or similar`);
}

/** The condition of a PromQL probe (exactly one field set, as the spec checks). */
export type PromCondition = Pick<z.output<typeof PrometheusProbeSpec>, "below" | "above" | "between" | "empty">;

/** `{job="x"} 0.25`: a series for a detail line. */
export function formatSeries(s: PromSeries): string {
    const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(",");
    return `${labels ? `{${labels}} ` : ""}${formatNumber(s.value)}`;
}

const formatNumber = (v: number) => (Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Math.round(v * 1e6) / 1e6));

/** Why `series` breaks `cond`, or undefined when it meets it. Every series must meet a numeric condition. */
export function conditionProblem(series: PromSeries[], cond: PromCondition): string | undefined {
    if (cond.empty !== undefined) {
        if (cond.empty && series.length > 0) return `expected no series, got ${series.length}: ${series.slice(0, 3).map(formatSeries).join("; ")}`;
        if (!cond.empty && series.length === 0) return "expected a result, got no series";
        return undefined;
    }
    if (series.length === 0) return "no series (no data); write `(...) or vector(0)` if no series means zero";
    const [want, ok] =
        cond.below !== undefined
            ? [`< ${cond.below}`, (v: number) => v < cond.below!]
            : cond.above !== undefined
              ? [`> ${cond.above}`, (v: number) => v > cond.above!]
              : [`between ${cond.between![0]} and ${cond.between![1]}`, (v: number) => v >= cond.between![0] && v <= cond.between![1]];
    const bad = series.filter((s) => !ok(s.value));
    return bad.length === 0 ? undefined : `${bad.slice(0, 3).map(formatSeries).join("; ")} not ${want}`;
}

/**
 * A PromQL probe: each sample is one instant query. It passes when the result meets the probe's condition; its
 * value is the first series' value, and its detail the series seen (or why the query failed).
 */
export function prometheusProbe(spec: z.output<typeof PrometheusProbeSpec> & { name: string }): Probe {
    return timedProbe(
        spec,
        () => queryPrometheus(spec.url, spec.query, spec.timeout),
        (series, latencyMs) => {
            const problem = conditionProblem(series, spec);
            const r: ProbeResult = { ok: problem === undefined, latencyMs, detail: problem ?? (series.length ? series.slice(0, 3).map(formatSeries).join("; ") : "no series") };
            if (series[0] && Number.isFinite(series[0].value)) r.value = series[0].value;
            return r;
        },
    );
}

/** How often a PromQL stop condition is evaluated: Prometheus' scrape interval in demo/prometheus.yml. */
export const PROMQL_STOP_EVERY_MS = 1000;

/**
 * Evaluates a PromQL stop condition once: the breach in one line (a series above `above` or below `below`), or
 * undefined. An empty result or a failed query is no breach: no evidence that the system is hurt.
 */
export async function promqlBreach(c: { url: string; query: string; above?: number; below?: number }): Promise<string | undefined> {
    let series: PromSeries[];
    try {
        series = await queryPrometheus(c.url, c.query, PROMQL_STOP_EVERY_MS);
    } catch {
        return undefined;
    }
    const above = c.above !== undefined ? series.find((s) => s.value > c.above!) : undefined;
    if (above) return `PromQL ${c.query} = ${formatSeries(above)} > ${c.above}`;
    const below = c.below !== undefined ? series.find((s) => s.value < c.below!) : undefined;
    return below ? `PromQL ${c.query} = ${formatSeries(below)} < ${c.below}` : undefined;
}
