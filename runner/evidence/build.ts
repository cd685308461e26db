import type { ExperimentSpec } from "../../components/experiment";
import type { FaultSpan, Judgement, Phase } from "../evaluate";
import type { LoadReport, LoadResult } from "../load/types";
import type { PolicyViolation } from "../pulumi";
import type { Sample } from "../probes/sampler";
import { isEvaluated, outcomeOf } from "./outcome";
import { provenanceOf, type Provenance } from "./provenance";
import { EVIDENCE_SCHEMA, type Evidence } from "./schema";
import { samplingStats, timeline } from "./timeline";
import { runAnnotations, type AnnotatedRun } from "../telemetry/annotations";

/** Everything a run produced, for {@link buildEvidence}. */
export interface RunRecord {
    runId: string;
    stack: string;
    spec: ExperimentSpec;
    startedAt: Date;
    finishedAt: Date;
    durationMs: number;
    status: Evidence["status"];
    judgement: Judgement;
    phases: Phase[];
    samples: Sample[];
    load: LoadResult[];
    loadReport: LoadReport | null;
    injectedAt: Record<string, number>;
    /** Per fault: seen in to revert begun (the chaos window's spans). */
    faultSpans?: FaultSpan[];
    /** When the faults were seen reverted on the target (run clock); null when nothing was injected. */
    revertStartedAt: number | null;
    descriptions: Record<string, string>;
    plannedTargets: Array<{ fault: string; target: string }>;
    /** What produced the run; defaults to this checkout and host, the Pulumi CLI's version unknown. */
    provenance?: Provenance;
    /** Policy violations the engine reported at preview (runner/pulumi.ts). */
    policyViolations?: PolicyViolation[];
    stop: { metric: string; at: number; observableAt: number; message: string } | null;
    /** When the rollback began (run clock); null when nothing was injected. */
    revertBeganAt?: number | null;
    rollback: Evidence["rollback"];
    errors: string[];
}

/** The chaos window's exact bounds, each fault's span and the transitions' counts. */
function chaosWindowEvidence(r: RunRecord, round: (x: number) => number): Evidence["timing"]["chaos_window"] {
    const w = r.judgement.chaosWindow;
    if (!w) return null;
    const transition = (t: Judgement["transitions"]["inject"]) =>
        t ? { start_ms: round(t.start), end_ms: round(t.end), count: t.count, errors: t.errors, error_rate: t.errorRate === null ? null : Math.round(t.errorRate * 10_000) / 10_000 } : null;
    return {
        counts: w.counts,
        start_ms: round(w.start),
        end_ms: round(w.end),
        duration_ms: round(w.ms),
        faults: (r.faultSpans ?? []).map((f) => ({ fault: f.fault, in_ms: round(f.start), in_source: f.source, revert_began_ms: round(f.end) })),
        transitions: { inject: transition(r.judgement.transitions.inject), rollback: transition(r.judgement.transitions.rollback) },
    };
}

/** Assembles the evidence artifact of a run. */
export function buildEvidence(r: RunRecord): Evidence {
    const { spec, judgement: j } = r;
    const round = (x: number) => Math.round(x * 10) / 10;
    const phases = r.phases.map((p) => ({ name: p.name, start_ms: round(p.start), end_ms: round(p.end) }));
    const inject = r.phases.find((p) => p.name === "inject");
    const rollback = r.phases.find((p) => p.name === "rollback");
    const steadyNames = new Set(spec.hypothesis.probes.map((p) => p.name));
    const points = spec.load ? r.load : r.samples.filter((s) => steadyNames.has(s.probe));
    const withinPassed = j.expectations.filter((e) => e.mode === "within" && e.activation_time_ms !== null);
    const byFault = (fault: string) => j.expectations.filter((e) => e.fault === fault);
    const chaosHeld = j.sloResults.filter((x) => x.window === "chaos").every((x) => x.passed);
    const outcome = outcomeOf(j.verdict, r.status);
    // A run that was not evaluated has no score and no recovery figures: nothing was measured to make them from.
    const evaluated = isEvaluated(outcome);
    const evidence: AnnotatedRun = {
        schema: EVIDENCE_SCHEMA,
        run_id: r.runId,
        stack: r.stack,
        experiment: spec.name,
        component: spec.environment.component ?? spec.name,
        owner: spec.owner ?? null,
        description: spec.description ?? null,
        validation_timestamp: r.finishedAt.toISOString(),
        started_at: r.startedAt.toISOString(),
        finished_at: r.finishedAt.toISOString(),
        duration_ms: Math.round(r.durationMs),
        status: r.status,
        verdict: j.verdict,
        outcome,
        exit_code: j.exitCode,
        reason: j.reason,
        hypothesis: {
            text: spec.hypothesis.text,
            slo: {
                max_error_rate: spec.hypothesis.slo.maxErrorRate,
                latency_ms: Object.fromEntries(Object.entries(spec.hypothesis.slo.latency).filter((e): e is [string, number] => e[1] !== undefined)),
                min_throughput_rps: spec.hypothesis.slo.minThroughput ?? null,
                recovery_time_ms: spec.hypothesis.slo.recoveryTime,
                fail_closed_activation_ms: spec.hypothesis.slo.failClosedActivation,
            },
            steady_state_probes: [...steadyNames],
        },
        environment: { name: spec.environment.name, target: spec.environment.target, production: spec.environment.production },
        provenance: r.provenance ?? provenanceOf(r.stack, spec, null),
        blast_radius: { max_targets: spec.blastRadius.maxTargets ?? null, planned_targets: r.plannedTargets },
        timing: {
            configured: {
                warmup_ms: spec.timing.warmup,
                duration_ms: spec.timing.duration,
                cooldown_ms: spec.timing.cooldown,
                recovery_deadline_ms: spec.timing.recoveryDeadline,
                sample_interval_ms: spec.timing.sampleInterval,
            },
            phases,
            fault_window: inject ? { start_ms: round(inject.start), end_ms: round((rollback ?? inject).end) } : null,
            chaos_window: chaosWindowEvidence(r, round),
        },
        chaos_scenarios: spec.faults.map((f) => {
            const exps = byFault(f.name);
            const executed = r.injectedAt[f.name] !== undefined;
            return {
                fault: f.name,
                kind: f.kind,
                description: r.descriptions[f.name] ?? f.kind,
                executed,
                validated: executed && j.verdict !== "aborted" && (exps.length ? exps.every((e) => e.passed) : chaosHeld),
                injected_at_ms: executed ? round(r.injectedAt[f.name]!) : null,
            };
        }),
        fail_closed_behavior: {
            activation_time_ms: withinPassed.length ? Math.max(...withinPassed.map((e) => e.activation_time_ms!)) : null,
            triggers_validated: j.expectations.filter((e) => e.passed).map((e) => `${e.fault}: ${e.behaviour}`),
            behavior_correct: j.expectations.every((e) => e.passed) && (j.expectations.length > 0 || chaosHeld),
            expectations: j.expectations,
        },
        recovery_validation: {
            recovered: evaluated ? j.recovery.recovered : null,
            recovery_time_ms: evaluated ? j.recovery.recoveryTimeMs : null,
            recovery_time_p95_ms: evaluated ? j.recovery.recoveryTimeP95Ms : null,
            recovery_slo_ms: spec.hypothesis.slo.recoveryTime,
            measured_from_ms: r.revertStartedAt === null ? null : round(r.revertStartedAt),
            success_rate: evaluated ? j.recovery.successRate : null,
            slo_compliance: evaluated ? j.recovery.sloCompliance : null,
            per_probe: evaluated ? j.recovery.perSignal : [],
        },
        slo_results: j.sloResults,
        violations: j.violations,
        policy_violations: (r.policyViolations ?? []).map((v) => ({
            policy: v.policy,
            level: v.level,
            pack: v.pack,
            resource: v.resource ?? null,
            resource_name: v.resourceName,
            resource_type: v.resourceType,
            message: v.message,
            fix: v.fix,
        })),
        stop_condition: r.stop
            ? {
                  metric: r.stop.metric,
                  at_ms: round(r.stop.at),
                  observable_at_ms: round(r.stop.observableAt),
                  rollback_began_ms: r.revertBeganAt == null ? null : round(r.revertBeganAt),
                  reverted_ms: r.revertStartedAt === null ? null : round(r.revertStartedAt),
                  message: r.stop.message,
              }
            : null,
        resilience_metrics: {
            overall_score: evaluated ? j.score.overall : null,
            chaos_tolerance: !evaluated || j.chaosErrorRate === null ? null : Math.round((1 - j.chaosErrorRate) * 10_000) / 10_000,
            production_ready: evaluated && j.productionReady,
            weights: spec.score.weights,
            parts: evaluated ? j.score.parts : [],
        },
        load:
            r.loadReport && spec.load
                ? {
                      tool: r.loadReport.tool,
                      rate: spec.load.rate,
                      scheduled: r.loadReport.scheduled,
                      ok: r.loadReport.ok,
                      errors: r.loadReport.errors,
                      dropped: r.loadReport.dropped,
                      throughput_rps: r.loadReport.throughput,
                      latency_ms: {
                          p50: r.loadReport.latency.p50,
                          p90: r.loadReport.latency.p90,
                          p95: r.loadReport.latency.p95,
                          p99: r.loadReport.latency.p99,
                          max: r.loadReport.latency.max,
                          mean: r.loadReport.latency.mean,
                      },
                  }
                : null,
        rollback: r.rollback,
        sampling: samplingStats(r.samples),
        timeline: timeline(points, r.durationMs, spec.load ? "load" : "probes"),
        samples: r.samples,
        errors: r.errors,
    };
    // Grafana's delivery is filled in by the runner after the rollback, when the experiment names a Grafana.
    return { ...evidence, annotations: runAnnotations(evidence), annotation_delivery: null };
}
