import type { ScoreSpec } from "../spec/experiment";

/** What the resilience score is computed from. */
export interface ScoreInputs {
    /** Share of expected behaviours seen (0-1), the hypothesis' chaos-window SLOs counting as one of them. */
    expectedBehaviour: number;
    /** Share of steady-state signals that recovered before the deadline (0-1). */
    recovered: number;
    /** Recovery time (p95 over signals), ms; null when nothing recovered. */
    recoveryTimeMs: number | null;
    recoverySloMs: number;
    recoveryDeadlineMs: number;
    /** Error rate while the faults were in (0-1); null when nothing was measured. */
    errorRate: number | null;
    maxErrorRate: number;
}

/** One part of the score. */
export interface ScorePart {
    part: "expectedBehaviour" | "recovery" | "recoveryTime" | "errorRate";
    weight: number;
    /** How much of this part was earned, 0-1. */
    fraction: number;
    /** Points earned towards 100. */
    points: number;
}

/** The resilience score (0-100) and how it was made up. */
export interface Score {
    overall: number;
    parts: ScorePart[];
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * Linear credit between `good` (full) and `bad` (none): full at or below `good`, none at or beyond `bad`.
 */
function credit(value: number, good: number, bad: number): number {
    if (value <= good) return 1;
    if (bad <= good || value >= bad) return 0;
    return 1 - (value - good) / (bad - good);
}

/**
 * The resilience score: each part earns a fraction in [0, 1], weighted, normalised by the sum of the weights, so the
 * result is in [0, 100] whatever the weights (litmus#3573: a score above 100 is a bug).
 *
 * - expectedBehaviour: share of expected behaviours seen (fail-closed, no loss...).
 * - recovery: share of steady-state signals back before the recovery deadline.
 * - recoveryTime: 1 within the recovery SLO, falling linearly to 0 at the recovery deadline.
 * - errorRate: 1 within the tolerated error rate, falling linearly to 0 at 100% errors.
 */
export function resilienceScore(inputs: ScoreInputs, weights: ScoreSpec["weights"]): Score {
    const fractions: Record<ScorePart["part"], number> = {
        expectedBehaviour: clamp01(inputs.expectedBehaviour),
        recovery: clamp01(inputs.recovered),
        recoveryTime: inputs.recoveryTimeMs === null ? 0 : clamp01(credit(inputs.recoveryTimeMs, inputs.recoverySloMs, inputs.recoveryDeadlineMs)),
        errorRate: inputs.errorRate === null ? 1 : clamp01(credit(inputs.errorRate, inputs.maxErrorRate, 1)),
    };
    const total = Object.values(weights).reduce((a, w) => a + Math.max(0, w), 0);
    const parts: ScorePart[] = (Object.keys(fractions) as ScorePart["part"][]).map((part) => {
        const weight = Math.max(0, weights[part]);
        const points = total > 0 ? (100 * weight * fractions[part]) / total : 0;
        return { part, weight, fraction: round(fractions[part], 4), points: round(points, 2) };
    });
    const overall = total > 0 ? parts.reduce((a, p) => a + (100 * p.weight * fractions[p.part]) / total, 0) : 0;
    return { overall: Math.min(100, Math.max(0, round(overall, 1))), parts };
}

function round(x: number, digits: number): number {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}
