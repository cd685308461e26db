// A finished run exported as one OpenTelemetry trace over OTLP/HTTP: a root span for the run, a span per phase, and
// a span per fault (seen in → revert begun) under the fault phase. The verdict, the outcome and every SLO result are
// attributes; the stop condition is an event. Built after the run from its evidence, with each span's real start
// and end, so the trace shows exactly what the evidence says, also for an aborted or interrupted run (the runner
// always reaches its judgement). Configured the standard way (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME); off when no endpoint is set.
import { context, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import type { Evidence } from "../evidence/schema";

/** How long the export of one run may take, sending included, unless the standard timeout variables say otherwise. */
export const OTLP_DEADLINE_MS = 5000;

/**
 * The export's deadline in ms: OTEL_EXPORTER_OTLP_TRACES_TIMEOUT or OTEL_EXPORTER_OTLP_TIMEOUT (the OTLP exporter
 * spec's variables, in ms) when set to a positive number, else {@link OTLP_DEADLINE_MS}. The tests set it small to
 * see a hung collector given up on without waiting 5 s.
 */
export function otlpDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
    for (const v of [env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, env.OTEL_EXPORTER_OTLP_TIMEOUT]) {
        const ms = Number(v?.trim());
        if (v?.trim() && Number.isFinite(ms) && ms > 0) return ms;
    }
    return OTLP_DEADLINE_MS;
}

/** The OTLP/HTTP traces URL the standard variables name, or null when tracing is off. */
export function tracesEndpoint(env: NodeJS.ProcessEnv = process.env): string | null {
    const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
    if (traces) return traces;
    const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
    // The signal-less variable is a base URL: the spec appends v1/traces to it.
    return base ? `${base.replace(/\/+$/, "")}/v1/traces` : null;
}

/** The run's identity, verdict and SLO results as attributes of the root span. */
export function runAttributes(e: Evidence): Attributes {
    const a: Attributes = {
        "faultline.run_id": e.run_id,
        "faultline.stack": e.stack,
        "faultline.experiment": e.experiment,
        "faultline.component": e.component,
        "faultline.status": e.status,
        "faultline.verdict": e.verdict,
        "faultline.outcome": e.outcome,
        "faultline.exit_code": e.exit_code,
        "faultline.reason": e.reason,
        "faultline.rollback.result": e.rollback.result,
        "faultline.environment": e.environment.name,
        "faultline.slo.violated": e.slo_results.filter((r) => !r.passed).map((r) => `${r.slo} (${r.window})`),
    };
    if (e.resilience_metrics.overall_score !== null) a["faultline.score"] = e.resilience_metrics.overall_score;
    if (e.recovery_validation.recovery_time_ms !== null) a["faultline.recovery_time_ms"] = e.recovery_validation.recovery_time_ms;
    for (const r of e.slo_results) {
        const key = `faultline.slo.${r.window}.${r.slo}`;
        a[`${key}.passed`] = r.passed;
        a[`${key}.limit`] = r.limit;
        if (r.observed !== null) a[`${key}.observed`] = r.observed;
        a[`${key}.message`] = r.message;
    }
    return a;
}

/** Epoch milliseconds of a run-clock time. */
const at = (e: Evidence, ms: number) => new Date(Date.parse(e.started_at) + ms);

/** A child span of `parent` over [start, end] of the run clock, ended at once. */
function child(tracer: Tracer, e: Evidence, parent: Span, name: string, start: number, end: number, attributes: Attributes): Span {
    const span = tracer.startSpan(name, { startTime: at(e, start), attributes }, trace.setSpan(context.active(), parent));
    span.end(at(e, Math.max(start, end)));
    return span;
}

/** Records the run's spans on `tracer`: root, phases, faults (under the fault phase), the stop condition as an event. */
export function recordRun(tracer: Tracer, e: Evidence): void {
    const root = tracer.startSpan(`faultline run ${e.experiment}`, { startTime: at(e, 0), attributes: runAttributes(e), root: true });
    let faultPhase: Span = root;
    for (const p of e.timing.phases) {
        const span = child(tracer, e, root, `phase ${p.name}`, p.start_ms, p.end_ms, { "faultline.phase": p.name });
        if (p.name === "fault") faultPhase = span;
    }
    for (const f of e.timing.chaos_window?.faults ?? []) {
        const s = e.chaos_scenarios.find((x) => x.fault === f.fault);
        child(tracer, e, faultPhase, `fault ${f.fault}`, f.in_ms, f.revert_began_ms, {
            "faultline.fault": f.fault,
            "faultline.fault.kind": s?.kind ?? "unknown",
            "faultline.fault.description": s?.description ?? "",
            "faultline.fault.in_source": f.in_source,
            "faultline.fault.validated": s?.validated ?? false,
        });
    }
    const stop = e.stop_condition;
    if (stop) root.addEvent("stop-condition", { "faultline.stop.metric": stop.metric, "faultline.stop.message": stop.message }, at(e, stop.at_ms));
    // A refuted hypothesis is the run's finding, not an error of the run; aborted and errored runs are errors.
    if (e.outcome === "aborted" || e.outcome === "error" || e.rollback.result === "failed") root.setStatus({ code: SpanStatusCode.ERROR, message: e.reason });
    else root.setStatus({ code: SpanStatusCode.OK });
    root.end(at(e, e.duration_ms));
}

/**
 * Exports the run as a trace to the configured OTLP/HTTP endpoint, flushed before it returns, within
 * {@link otlpDeadlineMs}. Off (nothing sent) without an endpoint. Never throws: says what failed instead.
 */
export async function exportRunTrace(e: Evidence, env: NodeJS.ProcessEnv = process.env): Promise<{ exported: boolean; error: string | null }> {
    const url = tracesEndpoint(env);
    if (!url) return { exported: false, error: null };
    const failure: { error: string | null } = { error: null };
    const deadlineMs = otlpDeadlineMs(env);
    // One deadline for all of it (loading the SDK included): a slow or hung collector must not hold the CLI's exit.
    let shutdown: (() => Promise<void>) | undefined;
    try {
        await withDeadline(
            sendTrace(e, url, env, deadlineMs, failure, (s) => (shutdown = s)),
            deadlineMs,
        );
    } catch (err) {
        failure.error ??= `export to ${url} failed: ${(err as Error).message}`;
    }
    // After a success this only releases the exporter; after a failure it is not waited for (the request it may
    // still hold ends at the exporter's own timeout).
    const closing = shutdown?.().catch(() => undefined);
    if (failure.error === null) await withDeadline(closing ?? Promise.resolve(), 1000).catch(() => undefined);
    return { exported: failure.error === null, error: failure.error };
}

/** Loads the SDK, records the run and flushes it to `url`; export failures go into `failure`. */
async function sendTrace(e: Evidence, url: string, env: NodeJS.ProcessEnv, deadlineMs: number, failure: { error: string | null }, onProvider: (shutdown: () => Promise<void>) => void): Promise<void> {
    // Loaded only when tracing is on: the SDK and exporter cost a few hundred ms at start-up that other runs need not pay.
    const [{ OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, TracerProvider }] = await Promise.all([
        import("@opentelemetry/exporter-trace-otlp-http"),
        import("@opentelemetry/resources"),
        import("@opentelemetry/sdk-trace"),
    ]);
    const exporter = new OTLPTraceExporter({ url, timeoutMillis: deadlineMs });
    // The batch processor sends every span of the run in one request at the flush; wrap the exporter to hear failures.
    const reporting: SpanExporter = {
        export: (spans, done) =>
            exporter.export(spans, (r) => {
                if (r.error) failure.error ??= `export to ${url} failed: ${r.error.message}`;
                done(r);
            }),
        shutdown: () => exporter.shutdown(),
        forceFlush: () => exporter.forceFlush(),
    };
    const provider = new TracerProvider({
        resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME || "faultline" }),
        spanProcessors: [new BatchSpanProcessor({ exporter: reporting, exportTimeoutMillis: deadlineMs })],
    });
    onProvider(() => provider.shutdown());
    recordRun(provider.getTracer("faultline"), e);
    await provider.forceFlush({ timeoutMillis: deadlineMs });
}

/** `p`, or a rejection after `ms`: a hung collector must not hold the CLI's exit. */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
        timer.unref();
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
