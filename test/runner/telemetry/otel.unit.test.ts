// The run as an OpenTelemetry trace: exported with the OTel JS SDK over OTLP/HTTP to a local receiver that records
// what arrives, and checked span by span (names, parents, times, the verdict and SLO results as attributes). Off
// without the standard variables; a collector that refuses or hangs is reported, within the deadline, never thrown.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Evidence } from "../../../runner/evidence/schema";
import { publishRun } from "../../../runner/telemetry";
import { exportRunTrace, OTLP_DEADLINE_MS, otlpDeadlineMs, tracesEndpoint } from "../../../runner/telemetry/otel";
import { evidence } from "../../helpers/evidence";
import { startReceiver } from "../../helpers/receiver";

const AT = "2026-01-01T00:00:00.000Z";
/** Nanoseconds since the epoch of a run-clock time, as OTLP/JSON writes them. */
const ns = (ms: number) => String(BigInt(Date.parse(AT) + ms) * 1_000_000n);

interface OtlpSpan {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    name: string;
    startTimeUnixNano: string;
    endTimeUnixNano: string;
    attributes: Array<{ key: string; value: Record<string, unknown> }>;
    events?: Array<{ name: string; timeUnixNano: string; attributes: Array<{ key: string; value: Record<string, unknown> }> }>;
    status?: { code?: number; message?: string };
}

/** Every span of every request, and the resource's attributes. */
function spansOf(bodies: unknown[]): { spans: OtlpSpan[]; resource: Record<string, unknown> } {
    const rs = bodies.flatMap((b) => (b as { resourceSpans: Array<{ resource: { attributes: OtlpSpan["attributes"] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans);
    return { spans: rs.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)), resource: attrs(rs[0]!.resource.attributes) };
}

/** OTLP attributes as a plain object ({stringValue: "x"} → "x", arrays of values → arrays). */
function attrs(list: OtlpSpan["attributes"]): Record<string, unknown> {
    const value = (v: Record<string, unknown>): unknown => {
        if ("arrayValue" in v) return ((v.arrayValue as { values?: Array<Record<string, unknown>> }).values ?? []).map(value);
        const x = Object.values(v)[0];
        return "intValue" in v ? Number(x) : x;
    };
    return Object.fromEntries(list.map((a) => [a.key, value(a.value)]));
}

/** The refuted synthetic run: the probe fails while the fault is in; the fault seen in at 2.1 s, reverted from 4 s. */
function refuted(): Evidence {
    const stop = { metric: "error-rate", at: 3000, observableAt: 2990, message: "error rate 60% > 50% for 3 samples" };
    return evidence("checkout", "api", (t) => t >= 2200 && t < 3900, "stopped", AT, { faultSpans: [{ fault: "cut", start: 2100, end: 4000, source: "observed" }], revertBeganAt: 4000, stop });
}

describe("OpenTelemetry export of a run", () => {
    const closing: Array<() => Promise<void>> = [];
    after(async () => Promise.all(closing.map((c) => c())));

    it("reads the standard variables: the traces endpoint as given, the base endpoint with v1/traces; off without either", () => {
        assert.equal(tracesEndpoint({}), null);
        assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/" }), "http://127.0.0.1:4318/v1/traces");
        assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:9/x" }), "http://b:9/x");
    });

    it("sends one trace: the run, a span per phase, the fault under the fault phase, verdict and SLOs as attributes", async () => {
        const rx = await startReceiver();
        closing.push(rx.close);
        const e = refuted();
        // A deadline far off: the unit tier shares a loaded process, and the deadline has its own case below.
        const r = await exportRunTrace(e, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_SERVICE_NAME: "game-day", OTEL_EXPORTER_OTLP_TIMEOUT: "60000" });
        assert.deepEqual(r, { exported: true, error: null });
        assert.deepEqual(rx.calls.map((c) => [c.method, c.path, c.headers["content-type"]]), [["POST", "/v1/traces", "application/json"]]);
        const { spans, resource } = spansOf(rx.calls.map((c) => c.body));
        assert.equal(resource["service.name"], "game-day");
        assert.deepEqual(spans.map((s) => s.name).sort(), [
            "fault cut",
            "faultline run checkout",
            "phase cooldown",
            "phase fault",
            "phase inject",
            "phase preflight",
            "phase recovery",
            "phase rollback",
            "phase warmup",
        ]);
        assert.equal(new Set(spans.map((s) => s.traceId)).size, 1);
        const byName = new Map(spans.map((s) => [s.name, s]));
        const root = byName.get("faultline run checkout")!;
        assert.equal(root.parentSpanId ?? "", "");
        assert.deepEqual([root.startTimeUnixNano, root.endTimeUnixNano], [ns(0), ns(6000)]);
        for (const s of spans.filter((x) => x.name.startsWith("phase "))) assert.equal(s.parentSpanId, root.spanId, s.name);
        const fault = byName.get("fault cut")!;
        assert.equal(fault.parentSpanId, byName.get("phase fault")!.spanId);
        assert.deepEqual([fault.startTimeUnixNano, fault.endTimeUnixNano], [ns(2100), ns(4000)]);
        assert.deepEqual(attrs(fault.attributes), {
            "faultline.fault": "cut",
            "faultline.fault.kind": "docker:network-disconnect",
            "faultline.fault.description": 'disconnect container "c" from Docker network "n"',
            "faultline.fault.in_source": "observed",
            "faultline.fault.validated": false,
        });
        const a = attrs(root.attributes);
        assert.equal(a["faultline.verdict"], "refuted");
        assert.equal(a["faultline.outcome"], "refuted");
        assert.equal(a["faultline.status"], "stopped");
        assert.equal(a["faultline.exit_code"], 1);
        assert.equal(a["faultline.reason"], e.reason);
        const chaosRate = e.slo_results.find((x) => x.window === "chaos" && x.slo === "error-rate")!;
        assert.equal(chaosRate.passed, false);
        assert.equal(a["faultline.slo.chaos.error-rate.passed"], false);
        assert.equal(a["faultline.slo.chaos.error-rate.observed"], chaosRate.observed);
        assert.equal(a["faultline.slo.chaos.error-rate.limit"], 0.05);
        assert.equal(a["faultline.slo.chaos.error-rate.message"], chaosRate.message);
        assert.deepEqual(a["faultline.slo.violated"], e.slo_results.filter((x) => !x.passed).map((x) => `${x.slo} (${x.window})`));
        assert.deepEqual(root.events?.map((ev) => [ev.name, ev.timeUnixNano, attrs(ev.attributes)["faultline.stop.metric"]]), [["stop-condition", ns(3000), "error-rate"]]);
        // A refuted hypothesis is the run's finding, not a failed run: the root span is OK (code 1).
        assert.equal(root.status?.code, 1);
    });

    it("an aborted run is exported too, its root span an error with the reason", async () => {
        const rx = await startReceiver();
        closing.push(rx.close);
        const e = evidence("checkout", "api", () => false, "aborted", AT, { phases: [{ name: "preflight", start: 0, end: 400 }] });
        await exportRunTrace(e, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${rx.url}/otlp/v1/traces`, OTEL_EXPORTER_OTLP_TIMEOUT: "60000" });
        const { spans } = spansOf(rx.calls.map((c) => c.body));
        assert.deepEqual(rx.calls.map((c) => c.path), ["/otlp/v1/traces"]);
        assert.deepEqual(spans.map((s) => s.name).sort(), ["faultline run checkout", "phase preflight"]);
        const root = spans.find((s) => s.name === "faultline run checkout")!;
        assert.deepEqual(root.status, { code: 2, message: e.reason });
    });

    it("sends nothing when no endpoint is set", async () => {
        assert.deepEqual(await exportRunTrace(refuted(), {}), { exported: false, error: null });
    });

    it("the deadline: 5 s, or the OTLP exporter's standard timeout variables (ms), the traces one first", () => {
        assert.equal(otlpDeadlineMs({}), OTLP_DEADLINE_MS);
        assert.equal(OTLP_DEADLINE_MS, 5000);
        assert.equal(otlpDeadlineMs({ OTEL_EXPORTER_OTLP_TIMEOUT: "800" }), 800);
        assert.equal(otlpDeadlineMs({ OTEL_EXPORTER_OTLP_TIMEOUT: "800", OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: " 300 " }), 300);
        assert.equal(otlpDeadlineMs({ OTEL_EXPORTER_OTLP_TIMEOUT: "soon" }), OTLP_DEADLINE_MS, "not a number: the default");
        assert.equal(otlpDeadlineMs({ OTEL_EXPORTER_OTLP_TIMEOUT: "0" }), OTLP_DEADLINE_MS, "zero would give up at once: the default");
    });

    it("a collector that refuses or hangs is reported within the deadline and lands in the evidence's errors", async () => {
        const refusing = await startReceiver({ status: 503 });
        const hanging = await startReceiver({ delayMs: 60_000 });
        closing.push(refusing.close, hanging.close);
        // A short deadline through the standard variable: the run's own code path, without waiting 5 s twice.
        const deadlineMs = 1000;
        const timeout = { OTEL_EXPORTER_OTLP_TIMEOUT: String(deadlineMs) };
        const e = refuted();
        const warnings: string[] = [];
        await publishRun(e, {}, (m) => warnings.push(m), { OTEL_EXPORTER_OTLP_ENDPOINT: refusing.url, ...timeout });
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, new RegExp(`^opentelemetry: export to ${refusing.url}/v1/traces failed: `));
        assert.deepEqual(e.errors, [warnings[0]]);
        assert.equal(e.annotation_delivery, null);
        const t = performance.now();
        const r = await exportRunTrace(refuted(), { OTEL_EXPORTER_OTLP_ENDPOINT: hanging.url, ...timeout });
        const took = performance.now() - t;
        assert.equal(r.exported, false);
        assert.equal(r.error, `export to ${hanging.url}/v1/traces failed: no answer within ${deadlineMs} ms`);
        assert.ok(took >= deadlineMs - 5, `gave up after ${took} ms, before the deadline`);
        // Gave up rather than hung; not how promptly, which a loaded shared process cannot promise.
        assert.ok(took < deadlineMs + 15_000, `took ${took} ms`);
    });
});
