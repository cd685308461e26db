import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { failureModeMatrix, severityOf } from "../../../runner/evidence/matrix";
import { htmlReport, markdownMatrix, markdownReport } from "../../../runner/evidence/report";
import { EvidenceSchema, type Evidence } from "../../../runner/evidence/schema";
import { findEvidence, writeMatrix, writeRun } from "../../../runner/evidence/store";
import { evidence, phases } from "../../helpers/evidence";

describe("evidence artifact", () => {
    it("validates against its schema and carries the required fields", () => {
        const e = EvidenceSchema.parse(evidence("api-cut", "api", (t) => t >= 2000 && t < 4200));
        assert.equal(e.component, "api");
        assert.match(e.validation_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.deepEqual(e.chaos_scenarios, [{ fault: "cut", kind: "docker:network-disconnect", description: 'disconnect container "c" from Docker network "n"', executed: true, validated: false, injected_at_ms: 1900 }]);
        assert.deepEqual(Object.keys(e.fail_closed_behavior), ["activation_time_ms", "triggers_validated", "behavior_correct", "expectations"]);
        assert.deepEqual(
            [e.recovery_validation.recovered, e.recovery_validation.recovery_time_ms, e.recovery_validation.recovery_time_p95_ms, e.recovery_validation.success_rate, e.recovery_validation.slo_compliance],
            [true, 100, 100, 1, true],
        );
        assert.deepEqual(Object.keys(e.resilience_metrics).slice(0, 3), ["overall_score", "chaos_tolerance", "production_ready"]);
        assert.equal(e.verdict, "refuted");
        assert.equal(e.timeline.source, "probes");
        assert.equal(e.samples.length, 55);
    });

    it("rejects a score above 100 and unknown fields", () => {
        const e = evidence("x", "y", () => false);
        assert.equal(EvidenceSchema.safeParse({ ...e, resilience_metrics: { ...e.resilience_metrics, overall_score: 101 } }).success, false);
        assert.equal(EvidenceSchema.safeParse({ ...e, extra: 1 }).success, false);
    });

    it("is written atomically with its reports, and found again", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-evidence-"));
        try {
            const files = writeRun(path.join(dir, "stack", "run1"), evidence("api-cut", "api", () => false));
            assert.deepEqual(fs.readdirSync(files.dir).sort(), ["evidence.json", "report.html", "report.md"]);
            const found = findEvidence(dir);
            assert.equal(found.runs.length, 1);
            assert.deepEqual(found.invalid, []);
            fs.writeFileSync(path.join(dir, "evidence.json"), "{}");
            assert.equal(findEvidence(dir).invalid.length, 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("reports", () => {
    it("Markdown names the verdict, the violated SLO and the score parts", () => {
        const md = markdownReport(evidence("api-cut", "api", (t) => t >= 2000 && t < 4200));
        assert.match(md, /^# api-cut: REFUTED\n/);
        // The chaos window is the fault phase (2 s to 4 s): the failures during destroy (4.0-4.2 s) are the rollback transition's.
        assert.match(md, /- SLO error-rate violated: error rate 100\.0% while the faults were in \(20 of 20\) > 5\.0%/);
        assert.match(md, /\| error-rate \| chaos \| 5\.0% \| 100\.0% \| \*\*violated\*\* \|/);
        assert.ok(
            md.includes("Chaos window (SLOs judged while the faults were in): 2.00 s to 4.00 s, 2.00 s; inject transition 0.50 s with 0 errors of 5, rollback transition 0.50 s with 2 errors of 5."),
            md,
        );
        assert.match(md, /\| \*\*total\*\* \| \| \| \*\*\d+(\.\d)?\*\* \|/);
    });

    it("an interrupted run says so in both reports", () => {
        const e = evidence("api-cut", "api", () => false, "interrupted");
        assert.match(markdownReport(e), /^# api-cut: ABORTED \(INTERRUPTED\)/);
        assert.match(htmlReport(e), /<div class="interrupted"><b>Interrupted\.<\/b> interrupted \(SIGINT\) during fault; faults rolled back/);
    });

    it("HTML is self-contained: inline SVG chart with the fault window shaded, no external resources", () => {
        const html = htmlReport(evidence("api-cut", "api", (t) => t >= 2000 && t < 4200));
        assert.match(html, /<svg [^>]*viewBox/);
        assert.match(html, /<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" class="fault"\/>/);
        assert.equal(/<script|<link|src=|https?:\/\//.test(html.replace('xmlns="http://www.w3.org/2000/svg"', "")), false);
    });
});

describe("failure-mode matrix and severity", () => {
    const held = evidence("kill-worker", "orders", () => false);
    const medium = evidence("partition-db", "orders", (t) => t >= 2000 && t < 4200);
    const critical = evidence("partition-db", "payments", (t) => t >= 2000);
    const aborted = evidence("cpu-hog", "orders", () => false, "interrupted");

    it("rates runs on the documented scale", () => {
        assert.equal(severityOf(held), "none");
        assert.equal(severityOf(medium), "medium");
        assert.equal(severityOf(critical), "critical");
        assert.equal(severityOf(aborted), "unknown");
        assert.equal(severityOf({ ...held, resilience_metrics: { ...held.resilience_metrics, production_ready: false } }), "low");
        assert.equal(severityOf({ ...held, rollback: { ...held.rollback, result: "failed" } }), "critical");
        const slow = { ...medium, recovery_validation: { ...medium.recovery_validation, recovery_time_ms: 45_000 } };
        assert.equal(severityOf(slow), "high");
    });

    it("is scenario x component, worst scenario first, latest run per cell", () => {
        const older = evidence("kill-worker", "orders", (t) => t >= 2000, "completed", "2025-01-01T00:00:00.000Z");
        const m = failureModeMatrix([held, medium, critical, aborted, older]);
        assert.deepEqual(m.scenarios, ["partition-db", "kill-worker", "cpu-hog"]);
        assert.deepEqual(m.components, ["orders", "payments"]);
        const cell = m.cells.find((c) => c.scenario === "kill-worker")!;
        assert.deepEqual([cell.verdict, cell.severity, cell.runs], ["held", "none", 2]);
        const md = markdownMatrix([held, medium, critical, aborted]);
        assert.match(md, /\| partition-db \| refuted · medium · [\d.]+ \| refuted · critical · [\d.]+ \|/);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-matrix-"));
        try {
            const out = writeMatrix(dir, [held, medium, critical, aborted]);
            assert.match(fs.readFileSync(out.html, "utf8"), /<h1>Failure-mode matrix<\/h1>/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
