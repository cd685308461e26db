import type { Evidence } from "./schema";

/**
 * Severity of a failure mode, from none to critical (docs/runner.md):
 * - `critical`: the system did not recover by the deadline, or a critical expectation (data loss, a control left
 *   open) failed, or the rollback itself failed.
 * - `high`: the hypothesis was refuted and an expected behaviour was missing or recovery was slower than its SLO.
 * - `medium`: the hypothesis was refuted (an SLO broke while the faults were in) but the expected behaviours held and
 *   the system recovered within its SLO.
 * - `low`: the hypothesis held, with a resilience score below the production-ready bar.
 * - `none`: the hypothesis held with a production-ready score.
 * - `unknown`: no verdict (the run was aborted or interrupted).
 */
export type Severity = "critical" | "high" | "medium" | "low" | "none" | "unknown";

/** Severities from worst to best, for sorting and for "the worst of several runs". */
export const SEVERITY_ORDER: readonly Severity[] = ["critical", "high", "medium", "low", "none", "unknown"];

/** The severity of one run. */
export function severityOf(e: Pick<Evidence, "verdict" | "recovery_validation" | "fail_closed_behavior" | "resilience_metrics" | "rollback">): Severity {
    if (e.rollback.result === "failed") return "critical";
    if (e.verdict === "aborted") return "unknown";
    const criticalMiss = e.fail_closed_behavior.expectations.some((x) => x.critical && !x.passed);
    if (e.recovery_validation.recovered === false || criticalMiss) return "critical";
    if (e.verdict === "refuted") {
        const missed = e.fail_closed_behavior.expectations.some((x) => !x.passed);
        const slow = (e.recovery_validation.recovery_time_ms ?? Infinity) > e.recovery_validation.recovery_slo_ms;
        return missed || slow ? "high" : "medium";
    }
    return e.resilience_metrics.production_ready ? "none" : "low";
}

/** One cell of the failure-mode matrix. */
export interface MatrixCell {
    scenario: string;
    component: string;
    verdict: Evidence["verdict"];
    outcome: Evidence["outcome"];
    severity: Severity;
    /** Null when the latest run was not evaluated. */
    score: number | null;
    runs: number;
    /** The run the cell shows: the latest one. */
    run_id: string;
    reason: string;
}

/**
 * The failure-mode matrix across runs: scenario (experiment) × component → the latest run's verdict and severity.
 * Scenarios are sorted worst first, so the report opens with what needs fixing.
 */
export function failureModeMatrix(runs: Evidence[]): { scenarios: string[]; components: string[]; cells: MatrixCell[] } {
    const latest = new Map<string, { e: Evidence; runs: number }>();
    for (const e of runs) {
        const key = `${e.experiment}\u0000${e.component}`;
        const prev = latest.get(key);
        if (!prev || prev.e.validation_timestamp < e.validation_timestamp) latest.set(key, { e, runs: (prev?.runs ?? 0) + 1 });
        else prev.runs++;
    }
    const cells: MatrixCell[] = [...latest.values()].map(({ e, runs: n }) => ({
        scenario: e.experiment,
        component: e.component,
        verdict: e.verdict,
        outcome: e.outcome,
        severity: severityOf(e),
        score: e.resilience_metrics.overall_score,
        runs: n,
        run_id: e.run_id,
        reason: e.reason,
    }));
    const rank = (s: Severity) => SEVERITY_ORDER.indexOf(s);
    const worst = new Map<string, number>();
    for (const c of cells) worst.set(c.scenario, Math.min(worst.get(c.scenario) ?? 99, rank(c.severity)));
    const scenarios = [...worst].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([s]) => s);
    const components = [...new Set(cells.map((c) => c.component))].sort();
    return { scenarios, components, cells };
}
