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
        assert.match(markdownReport(e), /^# api-cut: ABORTED \(not evaluated\)/);
        assert.match(htmlReport(e), /<div class="interrupted"><b>Interrupted\.<\/b> interrupted \(SIGINT\) during fault; faults rolled back/);
    });

    it("an aborted or errored run has no score and no recovery figure: evidence null, reports say not evaluated", () => {
        for (const [status, outcome, head] of [["interrupted", "aborted", "ABORTED (not evaluated)"], ["aborted", "aborted", "ABORTED (not evaluated)"], ["error", "error", "ERROR (not evaluated)"]] as const) {
            const e = EvidenceSchema.parse(evidence("api-cut", "api", () => false, status));
            assert.deepEqual([e.verdict, e.outcome, e.exit_code], ["aborted", outcome, 2]);
            assert.deepEqual(
                [e.resilience_metrics.overall_score, e.resilience_metrics.parts, e.resilience_metrics.chaos_tolerance, e.resilience_metrics.production_ready],
                [null, [], null, false],
            );
            const rv = e.recovery_validation;
            assert.deepEqual([rv.recovered, rv.recovery_time_ms, rv.recovery_time_p95_ms, rv.success_rate, rv.slo_compliance, rv.per_probe], [null, null, null, null, null, []]);
            const md = markdownReport(e);
            assert.equal(md.split("\n")[0], `# api-cut: ${head}`);
            assert.match(md, /^- \*\*Resilience score\*\*: not evaluated; production ready: not evaluated; severity: unknown$/m);
            assert.doesNotMatch(md, /## Score|Recovered:|Chaos tolerance/);
            const html = htmlReport(e);
            assert.match(html, /<div class="k">Resilience score<\/div><div class="v muted">not evaluated<\/div>/);
            assert.match(html, /<div class="k">Recovery<\/div><div class="v muted">not evaluated<\/div>/);
            assert.doesNotMatch(html, /\/ 100|Recovered:/);
            assert.equal(severityOf(e), "unknown");
        }
    });

    it("held and refuted runs are evaluated: a score and a recovery figure, one headline each", () => {
        const held = evidence("api-cut", "api", () => false);
        const refuted = evidence("api-cut", "api", (t) => t >= 2000 && t < 4200);
        assert.deepEqual([held.outcome, refuted.outcome], ["held", "refuted"]);
        assert.equal(markdownReport(held).split("\n")[0], "# api-cut: HELD");
        assert.equal(markdownReport(refuted).split("\n")[0], "# api-cut: REFUTED");
        for (const e of [held, refuted]) {
            assert.equal(typeof e.resilience_metrics.overall_score, "number");
            assert.equal(e.recovery_validation.recovered, true);
        }
    });

    it("carries its provenance: faultline version and commit, Pulumi CLI, stack, host, the experiment as run", () => {
        const e = EvidenceSchema.parse(evidence("api-cut", "api", () => false));
        const p = e.provenance;
        assert.equal(p.faultline_version, JSON.parse(fs.readFileSync(path.join(__dirname, "../../../package.json"), "utf8")).version);
        assert.match(p.faultline_commit ?? "", /^[0-9a-f]{40}(-dirty)?$/);
        assert.equal(p.pulumi_cli_version, null, "unknown without a stack's workspace");
        assert.deepEqual([p.stack, p.host.name], ["stack-api-cut", os.hostname()]);
        assert.equal((p.experiment as { name: string }).name, "api-cut");
        assert.deepEqual((p.experiment as { timing: { ttl: number } }).timing.ttl, 600_000);
        assert.match(markdownReport(e), new RegExp(`^faultline ${p.faultline_version} \\(commit [0-9a-f]{40}(-dirty)?\\) · Pulumi CLI unknown · Node\\.js v[\\d.]+ · stack stack-api-cut · host `, "m"));
        assert.match(htmlReport(e), /<h2>Provenance<\/h2>/);
    });

    it("redacts credentials in the experiment copy", async () => {
        const { provenanceOf } = await import("../../../runner/evidence/provenance");
        const p = provenanceOf("s", { load: { url: "http://user:hunter2@127.0.0.1:8080/" }, token: "abc" }, "3.259.0", ["abc"]);
        assert.doesNotMatch(JSON.stringify(p.experiment), /hunter2|"abc"/);
        assert.equal(p.pulumi_cli_version, "3.259.0");
    });

    it("a refuted run's reports and the matrix carry the recovery design; a held run's do not", () => {
        const refuted = evidence("api-cut", "api", (t) => t >= 2000 && t < 4200);
        const held = evidence("api-ok", "api", () => false);
        assert.match(markdownReport(refuted), /^## Recovery design\n[\s\S]*?^\| cut \| docker:network-disconnect \| error-rate \| a fallback or a cache for the dependency's answers/m);
        assert.match(htmlReport(refuted), /<h2>Recovery design<\/h2>/);
        assert.doesNotMatch(markdownReport(held), /Recovery design/);
        assert.match(markdownMatrix([refuted, held]), /^\| api-cut \| api \| docker:network-disconnect \| error-rate \| a fallback or a cache/m);
    });

    it("the schema refuses a non-evaluated outcome word that is not one of the four", () => {
        const e = evidence("api-cut", "api", () => false, "aborted");
        assert.equal(EvidenceSchema.safeParse({ ...e, outcome: "stopped" }).success, false);
        assert.equal(EvidenceSchema.safeParse({ ...e, outcome: "aborted" }).success, true);
    });

    it("HTML is self-contained: inline SVG chart with the fault window shaded, no external resources", () => {
        const html = htmlReport(evidence("api-cut", "api", (t) => t >= 2000 && t < 4200));
        assert.match(html, /<svg [^>]*viewBox/);
        assert.match(html, /<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" class="fault"\/>/);
        // The experiment copy under Provenance quotes the probe's URL as text: not a resource the page loads.
        const page = html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(/<details>[\s\S]*?<\/details>/, "");
        assert.equal(/<script|<link|src=|https?:\/\//.test(page), false);
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
