// A run's annotations: derived from its evidence (the same windows the verdict was judged on), kept in the evidence
// and its reports, and posted to Grafana's /api/annotations when the experiment names a Grafana, checked against a
// small receiver that records the calls. A Grafana that refuses, hangs or is missing never fails the run's publishing.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { htmlReport, markdownReport } from "../../../runner/evidence/report";
import { EvidenceSchema, type Evidence } from "../../../runner/evidence/schema";
import { GRAFANA_DEADLINE_MS, postAnnotations } from "../../../runner/telemetry/grafana";
import { publishRun } from "../../../runner/telemetry";
import { runAnnotations } from "../../../runner/telemetry/annotations";
import { GrafanaSpec } from "../../../spec/observability";
import { evidence } from "../../helpers/evidence";
import { startReceiver } from "../../helpers/receiver";

const AT = "2026-01-01T00:00:00.000Z";
const T0 = Date.parse(AT);
const TAGS = ["faultline", "experiment:checkout", "stack:stack-checkout", "run:run-checkout-api"];
const spans = [{ fault: "cut", start: 2100, end: 4000, source: "observed" as const }];
const stop = { metric: "error-rate", at: 3000, observableAt: 2990, message: "error rate 60% > 50% for 3 samples" };

/** The synthetic run: its probe fails from 2.2 s to 3.9 s, the fault seen in at 2.1 s and reverted from 4 s. */
function run(extra: Parameters<typeof evidence>[5] = {}): Evidence {
    return evidence("checkout", "api", (t) => t >= 2200 && t < 3900, "stopped", AT, { faultSpans: spans, revertBeganAt: 4000, stop, ...extra });
}

describe("annotations in the evidence", () => {
    it("marks the run, the injection, each fault in, the stop condition and the revert, in time order", () => {
        const e = run();
        assert.deepEqual(
            e.annotations.map((a) => [a.phase, a.fault, a.time_ms, a.time_end_ms]),
            [
                ["run", null, 0, 6000],
                ["inject", null, 1500, 2000],
                ["fault", "cut", 2100, 4000],
                ["stop-condition", null, 3000, 3000],
                ["revert", null, 4000, 4500],
            ],
        );
        assert.deepEqual(e.annotations[2]!.tags, [...TAGS, "fault", "fault:cut", "kind:docker:network-disconnect"]);
        assert.equal(e.annotations[2]!.text, 'fault cut in (seen in on its target) for 1900ms: disconnect container "c" from Docker network "n"');
        assert.equal(e.annotations[3]!.text, "stop condition fired: error rate 60% > 50% for 3 samples");
        assert.equal(e.annotations[4]!.text, "revert (direct revert, then pulumi destroy): succeeded after 500ms");
        assert.equal(e.annotations[0]!.text, `faultline checkout: ${e.outcome} (stopped): ${e.reason}`);
        assert.equal(e.annotation_delivery, null);
        // The schema takes them, and evidence written before they existed still parses (with none).
        assert.deepEqual(EvidenceSchema.parse(e).annotations, e.annotations);
        const { annotations: _a, annotation_delivery: _d, ...old } = e;
        assert.deepEqual(EvidenceSchema.parse(old).annotations, []);
        assert.deepEqual(runAnnotations(e), e.annotations);
    });

    it("a run that never injected has only its own annotation", () => {
        const e = evidence("checkout", "api", () => false, "aborted", AT, { phases: [{ name: "preflight", start: 0, end: 400 }], faultSpans: [] });
        assert.deepEqual(e.annotations.map((a) => a.phase), ["run"]);
        assert.deepEqual(e.annotations[0]!.tags, [...TAGS, "run", "outcome:aborted"]);
    });

    it("shows them in the Markdown report and in the HTML timeline (the stop condition as a marked line)", () => {
        const e = run();
        const md = markdownReport(e);
        assert.match(md, /## Annotations\n\nKept in the evidence only \(no grafana in the experiment\)\.\n\n\| From \| To \| What \|/);
        assert.match(md, /\| 2\.10 s \| 4\.00 s \| fault cut in \(seen in on its target\) for 1900ms: /);
        const html = htmlReport(e);
        assert.match(html, /<h2>Annotations<\/h2>/);
        assert.match(html, /<line x1="[\d.]+" x2="[\d.]+" y1="24" y2="\d+" class="mark"><title>stop condition fired: error rate 60% &gt; 50% for 3 samples<\/title><\/line><text [^>]*class="marklab">stop-condition<\/text>/);
        assert.equal((html.match(/class="mark"/g) ?? []).length, 1);
    });
});

describe("annotations posted to Grafana", () => {
    const closing: Array<() => Promise<void>> = [];
    after(async () => Promise.all(closing.map((c) => c())));
    const grafana = (url: string, extra: Record<string, unknown> = {}) => GrafanaSpec.parse({ url, tokenEnv: "TEST_GRAFANA_TOKEN", ...extra });

    it("POSTs each annotation to /api/annotations with the token, wall-clock times, tags and the dashboard", async () => {
        const rx = await startReceiver();
        closing.push(rx.close);
        const e = run();
        const d = await postAnnotations(grafana(`${rx.url}/`, { dashboardUID: "abc123", panelId: 4, tags: ["game-day"] }), T0, e.annotations, { TEST_GRAFANA_TOKEN: "glsa_secret" });
        assert.deepEqual(d, { grafana_url: `${rx.url}/`, posted: 5, failed: 0, error: null });
        assert.equal(rx.calls.length, 5);
        for (const c of rx.calls) {
            assert.equal(c.method, "POST");
            assert.equal(c.path, "/api/annotations");
            assert.equal(c.headers.authorization, "Bearer glsa_secret");
            assert.equal(c.headers["content-type"], "application/json");
        }
        const fault = rx.calls.map((c) => c.body as Record<string, unknown>).find((b) => (b.tags as string[]).includes("fault"));
        assert.deepEqual(fault, {
            time: T0 + 2100,
            timeEnd: T0 + 4000,
            tags: [...TAGS, "fault", "fault:cut", "kind:docker:network-disconnect", "game-day"],
            text: e.annotations[2]!.text,
            dashboardUID: "abc123",
            panelId: 4,
        });
    });

    it("a Grafana that refuses is recorded, not thrown; publishing keeps the annotations in the evidence", async () => {
        const rx = await startReceiver({ status: 401 });
        closing.push(rx.close);
        const e = run();
        const warnings: string[] = [];
        await publishRun(e, { grafana: grafana(rx.url) }, (m) => warnings.push(m), { TEST_GRAFANA_TOKEN: "wrong" });
        assert.equal(e.annotation_delivery?.posted, 0);
        assert.equal(e.annotation_delivery?.failed, 5);
        assert.match(e.annotation_delivery!.error!, /^HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/api\/annotations: \{"message":"refused by the test receiver"\}$/);
        assert.equal(e.annotations.length, 5);
        assert.deepEqual(warnings.map((w) => w.split(":")[0]), ["grafana"]);
        assert.match(markdownReport(e), /Posted to Grafana http:\/\/127\.0\.0\.1:\d+: 0 of 5; 5 not posted: HTTP 401/);
    });

    it("a Grafana that hangs is given up on within its deadline", async () => {
        const rx = await startReceiver({ delayMs: 60_000 });
        closing.push(rx.close);
        // The deadline the run uses, and a short one: the same code path, without waiting 5 s for it.
        assert.equal(GRAFANA_DEADLINE_MS, 5000);
        const deadlineMs = 1000;
        const t = performance.now();
        const d = await postAnnotations(grafana(rx.url), T0, run().annotations, { TEST_GRAFANA_TOKEN: "t" }, deadlineMs);
        const took = performance.now() - t;
        assert.equal(d.failed, 5);
        assert.equal(d.error, `POST ${rx.url}/api/annotations failed: no answer within ${deadlineMs} ms`);
        assert.ok(took >= deadlineMs - 5, `gave up after ${took} ms, before the deadline`);
        // Gave up rather than hung; not how promptly, which a loaded shared process cannot promise.
        assert.ok(took < deadlineMs + 15_000, `took ${took} ms`);
    });

    it("without the token's variable nothing is sent, and the message names the variable", async () => {
        const rx = await startReceiver();
        closing.push(rx.close);
        const d = await postAnnotations(grafana(rx.url), T0, run().annotations, {});
        assert.equal(rx.calls.length, 0);
        assert.deepEqual(d, {
            grafana_url: rx.url,
            posted: 0,
            failed: 5,
            error: "TEST_GRAFANA_TOKEN is not set: export a Grafana service-account token (annotations:write) in it, or name another variable in grafana.tokenEnv",
        });
    });

    it("the spec takes a URL and the token's variable name, never the token", () => {
        assert.deepEqual(GrafanaSpec.parse({ url: "http://127.0.0.1:3000" }), { url: "http://127.0.0.1:3000", tokenEnv: "GRAFANA_TOKEN", tags: [] });
        const bad = GrafanaSpec.safeParse({ url: "grafana.local", tokenEnv: "glsa_abc-123", panelId: 2 });
        assert.deepEqual(bad.error?.issues.map((i) => [i.path.join("."), i.message]), [
            ["url", "must be an http:// or https:// URL of Grafana, e.g. http://127.0.0.1:3000"],
            ["tokenEnv", "must be the name of an environment variable (letters, digits and _), not the token itself"],
            ["panelId", "needs dashboardUID: a panel id is only unique within its dashboard"],
        ]);
        const panel = GrafanaSpec.safeParse({ url: "http://g", panelId: 2 });
        assert.deepEqual(panel.error?.issues.map((i) => [i.path.join("."), i.message]), [["panelId", "needs dashboardUID: a panel id is only unique within its dashboard"]]);
    });
});
