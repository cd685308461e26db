// The four outcomes of a run and the one way each is worded, in the CLI, the evidence and both reports. Only a run
// that was evaluated (held or refuted) has a resilience score and a recovery figure: an aborted or errored run did
// not measure the system, and a number for it would read as a measurement.

/** How a run ended: held (exit 0), refuted (exit 1), aborted or error (exit 2, not evaluated). */
export type Outcome = "held" | "refuted" | "aborted" | "error";

/** The outcomes, in exit-code order. */
export const OUTCOMES: readonly Outcome[] = ["held", "refuted", "aborted", "error"];

/** The outcome of a verdict and a run status: an aborted verdict is `error` when the runner itself failed. */
export function outcomeOf(verdict: "held" | "refuted" | "aborted", status: string): Outcome {
    if (verdict !== "aborted") return verdict;
    return status === "error" ? "error" : "aborted";
}

/** True when the run measured the system, so its score and recovery figures mean something. */
export function isEvaluated(outcome: Outcome): boolean {
    return outcome === "held" || outcome === "refuted";
}

/** The words for "no figure" on a run that was not evaluated. */
export const NOT_EVALUATED = "not evaluated";

/** The headline of each outcome: the same in the CLI, report.md, report.html and the matrix. */
export const OUTCOME_HEADLINE: Readonly<Record<Outcome, string>> = {
    held: "HELD",
    refuted: "REFUTED",
    aborted: `ABORTED (${NOT_EVALUATED})`,
    error: `ERROR (${NOT_EVALUATED})`,
};

/** One sentence per outcome, said before the reason. */
export const OUTCOME_MEANING: Readonly<Record<Outcome, string>> = {
    held: "the hypothesis held",
    refuted: "the hypothesis was refuted",
    aborted: "the run was aborted before a verdict; the system was not evaluated",
    error: "the runner failed; the system was not evaluated",
};

/** A figure of an evaluated run, or "not evaluated". */
export function figure<T>(outcome: Outcome, value: T, show: (v: T) => string): string {
    return isEvaluated(outcome) ? show(value) : NOT_EVALUATED;
}
