// JUnit XML for CI (docs/observability.md): `faultline run --junit out.xml` and `faultline report --junit out.xml`.
// One test case per experiment (and component): held passes, refuted is a failure naming the violated SLOs, and a
// run without a verdict (aborted, interrupted, error) or with a failed rollback is an error. The XML is built with
// xmlbuilder2, which escapes every text and attribute.
import * as path from "node:path";
import { create } from "xmlbuilder2";
import { severityOf } from "./matrix";
import type { Evidence } from "./schema";
import { writeAtomic } from "./store";

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** The latest run of each experiment and component, in a stable order (experiment, then component). */
function latestPerExperiment(runs: readonly Evidence[]): Evidence[] {
    const latest = new Map<string, Evidence>();
    for (const e of runs) {
        const key = `${e.experiment}\u0000${e.component}`;
        const prev = latest.get(key);
        if (!prev || prev.validation_timestamp < e.validation_timestamp) latest.set(key, e);
    }
    return [...latest.values()].sort((a, b) => a.experiment.localeCompare(b.experiment) || a.component.localeCompare(b.component));
}

/** What a run is in JUnit's terms. */
function outcomeOf(e: Evidence): "passed" | "failure" | "error" {
    if (e.rollback.result === "failed" || e.verdict === "aborted") return "error";
    return e.verdict === "refuted" ? "failure" : "passed";
}

/** The test case's log: the verdict, the numbers a reviewer looks at first, and where the evidence is. */
function summaryLines(e: Evidence): string {
    return [
        `${e.verdict.toUpperCase()} (${e.status}): ${e.reason}`,
        `score ${e.resilience_metrics.overall_score}/100, severity ${severityOf(e)}, rollback ${e.rollback.result}`,
        `recovered ${e.recovery_validation.recovered} in ${e.recovery_validation.recovery_time_ms ?? "-"} ms (SLO ${e.recovery_validation.recovery_slo_ms} ms)`,
        ...(e.stop_condition ? [`stop condition (${e.stop_condition.metric}): ${e.stop_condition.message}`] : []),
        ...e.slo_results.map((r) => `${r.passed ? "ok  " : "FAIL"} ${r.slo} [${r.window}]: ${r.message}`),
        `run ${e.run_id} on stack ${e.stack}`,
    ].join("\n");
}

/** JUnit XML of runs: one `<testsuite name="faultline">` with one test case per experiment (its latest run). */
export function junitXml(runs: readonly Evidence[]): string {
    const cases = latestPerExperiment(runs);
    const count = (o: ReturnType<typeof outcomeOf>) => cases.filter((e) => outcomeOf(e) === o).length;
    const totals = { tests: cases.length, failures: count("failure"), errors: count("error"), time: seconds(cases.reduce((t, e) => t + e.duration_ms, 0)) };
    const doc = create({ version: "1.0", encoding: "UTF-8" });
    const root = doc.ele("testsuites", { name: "faultline", ...totals });
    const suite = root.ele("testsuite", {
        name: "faultline",
        ...totals,
        skipped: 0,
        timestamp: cases.map((e) => e.started_at).sort()[0] ?? new Date().toISOString(),
    });
    for (const e of cases) {
        const tc = suite.ele("testcase", { classname: `faultline.${e.component}`, name: e.experiment, time: seconds(e.duration_ms) });
        const outcome = outcomeOf(e);
        if (outcome === "failure") {
            // The message names the violated SLOs; the body lists every violation.
            tc.ele("failure", { type: "refuted", message: e.violations.join("; ") || e.reason }).txt(e.violations.join("\n") || e.reason);
        } else if (outcome === "error") {
            const type = e.rollback.result === "failed" ? "rollback-failed" : e.status;
            tc.ele("error", { type, message: e.rollback.result === "failed" ? `rollback failed: ${e.rollback.error ?? e.reason}` : e.reason }).txt(e.reason);
        }
        tc.ele("system-out").txt(summaryLines(e));
    }
    return doc.end({ prettyPrint: true }) + "\n";
}

/** Writes {@link junitXml} of `runs` to `file` (atomically) and returns its absolute path. */
export function writeJunit(file: string, runs: readonly Evidence[]): string {
    const abs = path.resolve(file);
    writeAtomic(abs, junitXml(runs));
    return abs;
}
