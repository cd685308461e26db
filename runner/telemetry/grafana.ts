// Posts a run's annotations to Grafana's HTTP API (POST /api/annotations). Called after the rollback and bounded in
// time: Grafana being down, slow or refusing the token is recorded in the evidence and never changes the run's outcome.
import type { GrafanaSpec } from "../../spec/observability";
import type { Annotation, Evidence } from "../evidence/schema";

/** How long all the posts of one run may take together. */
export const GRAFANA_DEADLINE_MS = 5000;

/** The body Grafana's /api/annotations takes: epoch milliseconds, tags, text, and optionally where to attach it. */
export interface GrafanaAnnotation {
    time: number;
    timeEnd: number;
    tags: string[];
    text: string;
    dashboardUID?: string;
    panelId?: number;
}

/** An annotation of the run (run clock) as Grafana's body (wall clock), with the experiment's own tags and target. */
export function grafanaBody(a: Annotation, startedAt: number, g: GrafanaSpec): GrafanaAnnotation {
    return {
        time: Math.round(startedAt + a.time_ms),
        timeEnd: Math.round(startedAt + a.time_end_ms),
        tags: [...a.tags, ...g.tags],
        text: a.text,
        ...(g.dashboardUID ? { dashboardUID: g.dashboardUID } : {}),
        ...(g.panelId !== undefined ? { panelId: g.panelId } : {}),
    };
}

/** One POST; resolves to null when Grafana accepted it, else one line saying why not (`signal` ends it at `deadlineMs`). */
async function post(url: string, token: string, body: GrafanaAnnotation, signal: AbortSignal, deadlineMs: number): Promise<string | null> {
    try {
        const res = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
            body: JSON.stringify(body),
            signal,
        });
        const text = await res.text().catch(() => "");
        return res.ok ? null : `HTTP ${res.status} from ${url}: ${text.slice(0, 200).replace(/\s+/g, " ")}`;
    } catch (err) {
        const why = signal.aborted ? `no answer within ${deadlineMs} ms` : String((err as Error).cause ?? (err as Error).message);
        return `POST ${url} failed: ${why}`;
    }
}

/**
 * Posts every annotation of the run to Grafana at once, within {@link GRAFANA_DEADLINE_MS}, and says how many got
 * there. Never throws. The token comes from the environment variable `g.tokenEnv`; without it nothing is posted.
 * `deadlineMs` is for the tests, which see a hung Grafana given up on without waiting 5 s.
 */
export async function postAnnotations(
    g: GrafanaSpec,
    startedAt: number,
    annotations: readonly Annotation[],
    env: NodeJS.ProcessEnv = process.env,
    deadlineMs = GRAFANA_DEADLINE_MS,
): Promise<NonNullable<Evidence["annotation_delivery"]>> {
    const url = `${g.url.replace(/\/+$/, "")}/api/annotations`;
    const token = env[g.tokenEnv];
    if (!token) {
        const error = `${g.tokenEnv} is not set: export a Grafana service-account token (annotations:write) in it, or name another variable in grafana.tokenEnv`;
        return { grafana_url: g.url, posted: 0, failed: annotations.length, error };
    }
    const signal = AbortSignal.timeout(deadlineMs);
    const results = await Promise.all(annotations.map((a) => post(url, token, grafanaBody(a, startedAt, g), signal, deadlineMs)));
    const failures = results.filter((r): r is string => r !== null);
    return { grafana_url: g.url, posted: results.length - failures.length, failed: failures.length, error: failures[0] ?? null };
}
