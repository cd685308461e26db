// The evidence artifact: one JSON file per run (evidence.json), written atomically. This zod schema is its
// documented contract (docs/runner.md): the runner validates what it writes against it, and so can any consumer.
import { z } from "zod";

/** Version of the evidence format; bumped on any incompatible change. */
export const EVIDENCE_SCHEMA = "faultline.evidence/v2";

const Ms = z.number().nonnegative();
const Fraction = z.number().min(0).max(1);

/** A named window of the run, in ms since the run started. */
export const PhaseSchema = z.object({ name: z.string(), start_ms: Ms, end_ms: Ms }).strict();

/** One probe sample (raw timeline). */
export const SampleSchema = z
    .object({
        t: Ms,
        probe: z.string(),
        phase: z.string(),
        ok: z.boolean(),
        latencyMs: Ms,
        value: z.number().optional(),
        detail: z.string().optional(),
    })
    .strict();

/** One bucket of the aggregated timeline (what the report's chart draws). */
export const BucketSchema = z
    .object({
        t_ms: Ms,
        requests: z.number().int().nonnegative(),
        errors: z.number().int().nonnegative(),
        error_rate: Fraction,
        throughput_rps: z.number().nonnegative(),
        latency_p50_ms: Ms.nullable(),
        latency_p95_ms: Ms.nullable(),
        latency_max_ms: Ms.nullable(),
    })
    .strict();

/** The load requests (or steady-state probe samples) of a transition, inject or rollback. */
const TransitionSchema = z
    .object({ start_ms: z.number().nonnegative(), end_ms: z.number().nonnegative(), count: z.number().int().nonnegative(), errors: z.number().int().nonnegative(), error_rate: z.number().min(0).max(1).nullable() })
    .strict();

/** One SLO as checked in one window of the run. */
export const SloResultSchema = z
    .object({
        slo: z.string(),
        window: z.enum(["steady-state", "chaos", "recovery"]),
        limit: z.number(),
        observed: z.number().nullable(),
        unit: z.enum(["ratio", "ms", "rps"]),
        passed: z.boolean(),
        message: z.string(),
    })
    .strict();

/** A fault's expected behaviour, and whether it was seen. */
export const ExpectationResultSchema = z
    .object({
        fault: z.string(),
        behaviour: z.string(),
        mode: z.enum(["within", "throughout", "after-recovery"]),
        probe: z.string(),
        critical: z.boolean(),
        passed: z.boolean(),
        /** mode `within`: from injection to the first passing sample. */
        activation_time_ms: Ms.nullable(),
        deadline_ms: Ms.nullable(),
        samples: z.number().int().nonnegative(),
        detail: z.string(),
    })
    .strict();

/**
 * One annotation of the run, for dashboards: a region (or a point, time_ms = time_end_ms) on the run clock with its
 * tags and text, the way Grafana's /api/annotations takes it (runner/telemetry/annotations.ts).
 */
export const AnnotationSchema = z
    .object({
        /** What it marks: the whole run, the injection, one fault in, the stop condition, the revert. */
        phase: z.enum(["run", "inject", "fault", "stop-condition", "revert"]),
        /** The fault it marks (phase `fault`), else null. */
        fault: z.string().nullable(),
        time_ms: Ms,
        time_end_ms: Ms,
        tags: z.array(z.string()),
        text: z.string(),
    })
    .strict();

/** Where the annotations went: always the evidence; also Grafana when the experiment names one. */
export const AnnotationDeliverySchema = z
    .object({
        grafana_url: z.string(),
        /** Annotations Grafana accepted, and those it refused or that never reached it. */
        posted: z.number().int().nonnegative(),
        failed: z.number().int().nonnegative(),
        /** The first failure, in one line; null when every annotation was posted. */
        error: z.string().nullable(),
    })
    .strict();

export const EvidenceSchema = z
    .object({
        schema: z.literal(EVIDENCE_SCHEMA),
        run_id: z.string(),
        stack: z.string(),
        experiment: z.string(),
        /** The component under test (environment.component, or the experiment name). */
        component: z.string(),
        owner: z.string().nullable(),
        description: z.string().nullable(),
        /** When the verdict was reached (ISO 8601). */
        validation_timestamp: z.iso.datetime(),
        started_at: z.iso.datetime(),
        finished_at: z.iso.datetime(),
        duration_ms: Ms,
        /** completed: ran to the end; stopped: a stop condition cut the fault window short; interrupted: SIGINT/SIGTERM; error: the runner failed. */
        status: z.enum(["completed", "stopped", "interrupted", "aborted", "error"]),
        verdict: z.enum(["held", "refuted", "aborted"]),
        /**
         * held, refuted, aborted or error (runner/evidence/outcome.ts). Only held and refuted runs are evaluated:
         * the others have no score and no recovery figures (null), and every report says "not evaluated".
         */
        outcome: z.enum(["held", "refuted", "aborted", "error"]),
        exit_code: z.union([z.literal(0), z.literal(1), z.literal(2)]),
        /** One sentence: why this verdict (the violated SLO, the failed expectation, the abort reason). */
        reason: z.string(),
        hypothesis: z
            .object({
                text: z.string(),
                slo: z.object({
                    max_error_rate: Fraction,
                    latency_ms: z.record(z.string(), Ms),
                    min_throughput_rps: z.number().nullable(),
                    recovery_time_ms: Ms,
                    fail_closed_activation_ms: Ms,
                }),
                steady_state_probes: z.array(z.string()),
            })
            .strict(),
        environment: z.object({ name: z.string(), target: z.string(), production: z.boolean() }).strict(),
        /** What produced this evidence (runner/evidence/provenance.ts). */
        provenance: z
            .object({
                faultline_version: z.string(),
                /** The checkout's commit, "-dirty" when it had uncommitted changes; null outside git. */
                faultline_commit: z.string().nullable(),
                pulumi_cli_version: z.string().nullable(),
                node_version: z.string(),
                stack: z.string(),
                host: z.object({ name: z.string(), platform: z.string(), arch: z.string() }).strict(),
                /** The experiment as it ran: parsed (defaults filled in, durations in ms) and redacted. */
                experiment: z.record(z.string(), z.unknown()),
            })
            .strict(),
        blast_radius: z
            .object({ max_targets: z.number().nullable(), planned_targets: z.array(z.object({ fault: z.string(), target: z.string() }).strict()) })
            .strict(),
        timing: z
            .object({
                configured: z.object({ warmup_ms: Ms, duration_ms: Ms, cooldown_ms: Ms, recovery_deadline_ms: Ms, sample_interval_ms: Ms }).strict(),
                phases: z.array(PhaseSchema),
                /** The shaded window of the report's chart: from the start of injection to the end of rollback. */
                fault_window: z.object({ start_ms: Ms, end_ms: Ms }).strict().nullable(),
                /**
                 * What the chaos SLOs were judged on (hypothesis.window): `fault`, from each fault seen in on its target
                 * to its revert begun; `transitions`, the inject, fault and rollback phases. Null when no fault went in.
                 */
                chaos_window: z
                    .object({
                        counts: z.enum(["fault", "transitions"]),
                        start_ms: Ms,
                        end_ms: Ms,
                        /** Total length of the judged spans. */
                        duration_ms: Ms,
                        faults: z.array(
                            z
                                .object({
                                    fault: z.string(),
                                    /** Seen in by its driver's observe (`observed`), else the end of `up` (`up-completed`). */
                                    in_ms: Ms,
                                    in_source: z.enum(["observed", "up-completed"]),
                                    revert_began_ms: Ms,
                                })
                                .strict(),
                        ),
                        /** The inject (up to the first fault in) and rollback (first revert begun to the end of destroy) transitions, reported apart. */
                        transitions: z
                            .object({
                                inject: TransitionSchema.nullable(),
                                rollback: TransitionSchema.nullable(),
                            })
                            .strict(),
                    })
                    .strict()
                    .nullable(),
            })
            .strict(),
        chaos_scenarios: z.array(
            z
                .object({
                    fault: z.string(),
                    kind: z.string(),
                    description: z.string(),
                    executed: z.boolean(),
                    /** True when every expectation of this fault was seen (or it has none and the hypothesis held). */
                    validated: z.boolean(),
                    injected_at_ms: Ms.nullable(),
                })
                .strict(),
        ),
        fail_closed_behavior: z
            .object({
                /** The slowest activation among `within` expectations (null when none activated or none exist). */
                activation_time_ms: Ms.nullable(),
                triggers_validated: z.array(z.string()),
                behavior_correct: z.boolean(),
                expectations: z.array(ExpectationResultSchema),
            })
            .strict(),
        recovery_validation: z
            .object({
                /** Null when the run was not evaluated (aborted or error). */
                recovered: z.boolean().nullable(),
                /** From the start of rollback to a stable steady state; 0 when the steady state never broke. */
                recovery_time_ms: Ms.nullable(),
                recovery_time_p95_ms: Ms.nullable(),
                recovery_slo_ms: Ms,
                /** Recovery is timed from here: when the faults were seen reverted on the target (drivers' observe), else the start of rollback. */
                measured_from_ms: Ms.nullable(),
                /** Share of successful samples (and requests) after recovery, in the cool-down. */
                success_rate: Fraction.nullable(),
                slo_compliance: z.boolean().nullable(),
                per_probe: z.array(z.object({ probe: z.string(), recovered: z.boolean(), recovery_time_ms: Ms.nullable() }).strict()),
            })
            .strict(),
        slo_results: z.array(SloResultSchema),
        violations: z.array(z.string()),
        /** Policy violations reported at preview and up, each with the resource's name, the message and the fix. */
        policy_violations: z.array(
            z
                .object({
                    policy: z.string(),
                    level: z.enum(["mandatory", "advisory"]),
                    pack: z.string(),
                    resource: z.string().nullable(),
                    resource_name: z.string(),
                    resource_type: z.string(),
                    message: z.string(),
                    fix: z.string(),
                })
                .strict(),
        ),
        stop_condition: z
            .object({
                metric: z.string(),
                /** When it fired (run clock). */
                at_ms: Ms,
                /** When the sample or request that made it fire became known: it ended, or its deadline passed. */
                observable_at_ms: Ms,
                /** When the rollback began: the direct revert of every fault. */
                rollback_began_ms: Ms.nullable(),
                /** When the faults were seen reverted on their targets (drivers' observe). */
                reverted_ms: Ms.nullable(),
                message: z.string(),
            })
            .strict()
            .nullable(),
        resilience_metrics: z
            .object({
                /** 0-100, never above 100 (docs/runner.md: formula); null when the run was not evaluated. */
                overall_score: z.number().min(0).max(100).nullable(),
                /** Share of requests (or steady-state samples) that succeeded while the faults were in. */
                chaos_tolerance: Fraction.nullable(),
                production_ready: z.boolean(),
                weights: z.object({ expectedBehaviour: z.number(), recovery: z.number(), recoveryTime: z.number(), errorRate: z.number() }).strict(),
                parts: z.array(z.object({ part: z.string(), weight: z.number(), fraction: Fraction, points: z.number().min(0).max(100) }).strict()),
            })
            .strict(),
        load: z
            .object({
                tool: z.enum(["builtin", "k6"]),
                rate: z.number(),
                scheduled: z.number().int(),
                ok: z.number().int(),
                errors: z.number().int(),
                dropped: z.number().int(),
                throughput_rps: z.number(),
                latency_ms: z.object({ p50: Ms, p90: Ms, p95: Ms, p99: Ms, max: Ms, mean: Ms }).strict(),
            })
            .strict()
            .nullable(),
        rollback: z
            .object({
                performed: z.boolean(),
                result: z.enum(["succeeded", "failed", "not-needed"]),
                attempts: z.number().int().nonnegative(),
                cleared_pending_creates: z.boolean(),
                duration_ms: Ms,
                error: z.string().nullable(),
            })
            .strict(),
        sampling: z.array(z.object({ probe: z.string(), samples: z.number().int(), rate_hz: z.number(), mean_cost_ms: z.number() }).strict()),
        timeline: z.object({ bucket_ms: z.number().positive(), source: z.enum(["load", "probes"]), buckets: z.array(BucketSchema) }).strict(),
        samples: z.array(SampleSchema),
        errors: z.array(z.string()),
        /** The run's phases as dashboard annotations (absent in evidence written before they existed). */
        annotations: z.array(AnnotationSchema).default([]),
        /** Their delivery to Grafana; null without `grafana` in the experiment. */
        annotation_delivery: AnnotationDeliverySchema.nullable().default(null),
    })
    .strict();
export type Evidence = z.infer<typeof EvidenceSchema>;
export type Annotation = z.infer<typeof AnnotationSchema>;
export type SloResult = z.infer<typeof SloResultSchema>;
export type ExpectationResult = z.infer<typeof ExpectationResultSchema>;
