// The experiment spec: plain data, read from a stack's `faultline:experiment` config (stacks/Pulumi.<stack>.yaml) or
// written in TypeScript. It is the single source of truth for the Pulumi program (which faults to declare), the
// policy pack (what the experiment says about itself) and the runner (what to observe and how to judge it).
// Everything but `name` and `faults` is optional, with the defaults documented on each field (docs/runner.md).
//
// This is the envelope: every part of an experiment except the kinds of fault, which are registered with their
// drivers (components/registry.ts) and composed into the whole schema by `experimentSchema`.
import { z } from "zod";
import { ComposeSpec } from "./environment";
import { Duration, LongDuration, Namespace, Ratio, slugName, Window } from "./fields";
import { LoadSpec } from "./load";
import { GrafanaSpec } from "./observability";
import { ProbeSpec, PromQuery } from "./probe";
import { formatDuration } from "./units";

/** A stack-unique fault name: it names the Pulumi resources and the labels the fault leaves on targets. */
const FaultName = slugName("fault, unique in the experiment", "db-partition");

/**
 * What a fault is expected to cause, checked with a probe while the experiment runs, e.g. "fails closed within
 * 1 s" (an HTTP probe expecting 503 passes within 1s of injection), "no message lost" (a message-count probe holds
 * throughout), "the dead-letter queue receives the poison message" (a message-count probe with `min: 1`).
 */
export const Expectation = z
    .object({
        /** The expected behaviour in words; it is the line shown in plans, reports and the failure-mode matrix. */
        behaviour: z
            .string({ error: 'required: the expected behaviour in words, e.g. "fails closed within 1s"' })
            .min(1, 'must not be empty: say what should happen, e.g. "fails closed within 1s"'),
        /** The probe that shows the behaviour. Its `name` defaults to `<fault>-expect-<n>`. */
        probe: ProbeSpec,
        /**
         * When the probe must pass: `within` (at some point within `within` of injection: activation time),
         * `throughout` (every sample while the fault is in), `after-recovery` (every sample of the cool-down).
         * Defaults to `within`.
         */
        mode: z.enum(["within", "throughout", "after-recovery"], { error: "must be within, throughout or after-recovery" }).default("within"),
        /** For mode `within`: the deadline after injection. Defaults to hypothesis.slo.failClosedActivation (1s). */
        within: Duration.optional(),
        /** The behaviour is the probe FAILING, e.g. "the service is unreachable". Defaults to false. */
        negate: z.boolean().default(false),
        /** A violation is critical (data loss, a security control open): the failure-mode matrix rates it so. */
        critical: z.boolean().default(false),
    })
    .strict();
export type Expectation = z.output<typeof Expectation>;

/**
 * The fields every fault entry has besides its kind and its kind's spec: a name, a time-to-live, what it should
 * cause. Where the kinds are known (components/registry.ts), each kind's entry is its spec plus these fields.
 */
export const FaultEntryBase = z.object({
    name: FaultName,
    /** Time-to-live of this fault. Defaults to timing.ttl. */
    ttl: LongDuration.optional(),
    /** What this fault is expected to cause. */
    expect: z.array(Expectation).optional(),
});

/**
 * A validated fault entry as the kinds' union parses it: its kind and name, its ttl (ms) if it set one, its expected
 * behaviours, plus the kind's own spec fields. The experiment fills in ttl and expect (see ExperimentFault).
 */
export type FaultEntry<K extends string = string> = { kind: K; name: string; ttl?: number; expect?: Expectation[] } & Record<string, unknown>;

/**
 * The kind's own spec of a fault entry: the entry without `kind`, `name`, `ttl` and `expect`. The one place an entry
 * is split, for the program (component args), the runner (describe) and the entry's own validation.
 */
export function faultSpecOf(entry: Record<string, unknown>): Record<string, unknown> {
    const { kind: _kind, name: _name, ttl: _ttl, expect: _expect, ...spec } = entry;
    return spec;
}


/** Service-level objectives that make up the steady state. Defaults: the project's (docs/runner.md). */
export const SloSpec = z
    .object({
        /** Highest acceptable error rate while the fault is in, over load requests (or probe samples). Defaults to 5%. */
        maxErrorRate: Ratio.default(0.05),
        /** Latency thresholds by percentile. Defaults to { p95: "500ms" }. */
        latency: z
            .object({ p50: Duration.optional(), p90: Duration.optional(), p95: Duration.optional(), p99: Duration.optional(), max: Duration.optional() })
            .strict()
            .default({ p95: 500 }),
        /** Lowest acceptable throughput of the load, in successful requests per second. Needs `load`. */
        minThroughput: z.number().positive("must be greater than zero").optional(),
        /** The steady state must be back within this long after rollback starts. Defaults to "30s". */
        recoveryTime: LongDuration.default(30_000),
        /** A `within` expectation must activate within this long after injection, unless it says otherwise. Defaults to "1s". */
        failClosedActivation: Duration.default(1000),
    })
    .strict();
export type SloSpec = z.output<typeof SloSpec>;

/** The hypothesis: what should stay true while the faults are in. */
export const HypothesisSpec = z
    .object({
        /** The hypothesis in words, e.g. "orders are accepted while the worker is down". */
        text: z.string().default(""),
        slo: SloSpec.prefault({}),
        /** Steady-state probes: each sample that fails counts as an error; each must recover after rollback. */
        probes: z.array(ProbeSpec).default([]),
        /**
         * What the chaos SLOs are judged on. `fault` (the default): only while the faults are really in, from the
         * moment each fault is seen in on its target (its driver's observe) to the moment its revert begins.
         * `transitions`: also the inject and rollback transitions (`pulumi up` and `pulumi destroy`), for a
         * hypothesis about the change itself. Either way, the transitions are reported apart.
         */
        window: z.enum(["fault", "transitions"], { error: "must be fault (only while the faults are in) or transitions (also during up and destroy)" }).default("fault"),
    })
    .strict();

/**
 * What is under test. `name` and `production` are for the policy pack (production needs an approval); `compose`
 * is a Compose project (faultline:docker:ComposeStack, e.g. the demo system) that the experiment's stack owns: the
 * faults go in after it is healthy and are reverted before it goes.
 */
export const EnvironmentSpec = z
    .object({
        /** Where, e.g. "local-docker", "staging". Defaults to "local". */
        name: z.string().min(1, "must not be empty").default("local"),
        /** A Compose project the stack brings up before the faults and takes down after them. */
        compose: ComposeSpec.optional(),
        /** The component under test (the evidence's `component` and the matrix's column). Defaults to the experiment name. */
        component: z.string().min(1, "must not be empty").optional(),
        /** The target platform. Defaults to docker. */
        target: z.enum(["docker", "kubernetes", "aws"], { error: "must be docker, kubernetes or aws" }).default("docker"),
        /** True for production: then `approval` is required. Defaults to false. */
        production: z.boolean().default(false),
        description: z.string().optional(),
    })
    .strict();

/** How much may be hit, as the experiment's author declares it; the runner refuses a plan that hits more. */
export const BlastRadiusSpec = z
    .object({
        /** Most targets (containers, pods, instances) all faults together may hit. */
        maxTargets: z.number().int("must be a whole number").positive("must be greater than zero").optional(),
        /** In words: who would notice, e.g. "the worker pool of the staging orders service". */
        description: z.string().optional(),
    })
    .strict();

/** The fault window when `timing.duration` is not given. */
const DEFAULT_FAULT_WINDOW_MS = 30_000;

/** The experiment's windows. */
export const TimingSpec = z
    .object({
        /** Steady state is measured this long before injection. Defaults to "5s"; 0 skips it. */
        warmup: Window.default(5000),
        /**
         * The fault window: faults stay in this long. Defaults to "30s". When it is given, every fault's ttl must be
         * at least this long; a spec without it (faults driven by `pulumi up`/`destroy` alone) is not held to it.
         */
        duration: LongDuration.optional(),
        /** Default time-to-live of every fault that does not set its own. Must be at least `duration`. */
        ttl: LongDuration.optional(),
        /** After recovery, the steady state is watched this long more. Defaults to "5s"; 0 skips it. */
        cooldown: Window.default(5000),
        /** How long to wait for the steady state after rollback before calling it not recovered. Defaults to "60s". */
        recoveryDeadline: LongDuration.default(60_000),
        /** Time between probe samples. Defaults to "50ms" (20 Hz); between 10ms and 10s. */
        sampleInterval: Duration.refine((ms) => ms >= 10 && ms <= 10_000, "must be between 10ms and 10s").default(50),
    })
    .strict();

/** Stop conditions: a breach beyond a threshold for `samples` consecutive samples aborts the fault window early. */
const StopBase = {
    /** How many consecutive samples must breach. Defaults to 3. */
    samples: z.number().int("must be a whole number").positive("must be at least 1").default(3),
};
export const StopConditionSpec = z.discriminatedUnion(
    "metric",
    [
        z.object({ metric: z.literal("error-rate"), above: Ratio, ...StopBase }).strict(),
        z
            .object({
                metric: z.literal("latency"),
                percentile: z.union([z.literal(50), z.literal(90), z.literal(95), z.literal(99)], { error: "must be 50, 90, 95 or 99" }).default(95),
                above: Duration,
                ...StopBase,
            })
            .strict(),
        z.object({ metric: z.literal("throughput"), below: z.number().positive("must be greater than zero"), ...StopBase }).strict(),
        z.object({ metric: z.literal("probe"), probe: z.string({ error: "required: the name of a probe in hypothesis.probes" }), ...StopBase }).strict(),
        // A PromQL expression evaluated every second: a breach is any series above `above` or below `below`.
        z
            .object({ metric: z.literal("promql"), ...PromQuery, above: z.number().optional(), below: z.number().optional(), ...StopBase })
            .strict()
            .refine((c) => c.above !== undefined || c.below !== undefined, { message: "give above or below (or both): the value that stops the run" }),
    ],
    { error: "unknown metric; use one of: error-rate, latency, throughput, probe, promql" },
);
export type StopConditionSpec = z.output<typeof StopConditionSpec>;

/** Weights of the resilience score's parts (docs/runner.md). Only their ratios matter. */
export const ScoreSpec = z
    .object({
        weights: z
            .object({
                expectedBehaviour: z.number().nonnegative("must be 0 or more").default(30),
                recovery: z.number().nonnegative("must be 0 or more").default(40),
                recoveryTime: z.number().nonnegative("must be 0 or more").default(20),
                errorRate: z.number().nonnegative("must be 0 or more").default(10),
            })
            .strict()
            .prefault({}),
        /** A held hypothesis with at least this score is `production_ready`. Defaults to 90. */
        productionReady: z.number().min(0).max(100, "a score is at most 100").default(90),
    })
    .strict();
export type ScoreSpec = z.output<typeof ScoreSpec>;

/**
 * Who approved running the experiment, when, under which ticket, and until when (ISO 8601): required in production
 * (the policy pack checks the fields it needs).
 */
export const ApprovalSpec = z
    .object({
        by: z.string().min(1, "must not be empty: who approved this experiment"),
        at: z.string(),
        ticket: z.string(),
        expires: z.string(),
    })
    .partial()
    .strict();

/** The experiment before its cross-field checks and defaults, over `faults` (the union of the kinds' entries). */
function experimentObject<K extends string>(faults: z.ZodType<FaultEntry<K>, unknown>) {
    return z
    .object({
        name: slugName("experiment", "orders-worker-kill"),
        owner: z.string().min(1, "must not be empty: the team or person who runs this experiment").optional(),
        description: z.string().optional(),
        hypothesis: HypothesisSpec.prefault({}),
        environment: EnvironmentSpec.prefault({}),
        blastRadius: BlastRadiusSpec.prefault({}),
        timing: TimingSpec.prefault({}),
        stopConditions: z.array(StopConditionSpec).default([]),
        load: LoadSpec.optional(),
        score: ScoreSpec.prefault({}),
        approval: ApprovalSpec.optional(),
        /** Lets two faults of this experiment hit the same target (policy no-shared-targets). */
        allowSharedTargets: z.boolean().optional(),
        /**
         * Opts every fault of this experiment out of the opt-in label: the Docker drivers then hit containers without
         * `chaos.opt-in=true`, with a warning for each, instead of refusing them. faultline's own reapers and helpers
         * are never targets either way. Defaults to false; prefer labelling the targets.
         */
        allowUnlabelledTargets: z.boolean().optional(),
        /** Grafana to annotate with the run's phases (docs/observability.md); without it they are in the evidence only. */
        grafana: GrafanaSpec.optional(),
        /** Kubernetes faults: where the in-cluster reaper of node faults runs, and its image. */
        kubernetes: z
            .object({
                /** Namespace of the stack's in-cluster reaper (a Deployment). Defaults to "default". */
                reaperNamespace: Namespace.optional(),
                /** Image of the reaper (Node.js 18+). Defaults to $FAULTLINE_IMAGE_TOOLS or faultline/tools:1. */
                reaperImage: z.string().min(1).optional(),
            })
            .strict()
            .optional(),
        faults: z.array(faults, { error: "required: a list of faults, each with a name and a kind" }).min(1, "an experiment needs at least one fault"),
    })
    .strict();
}

/**
 * The experiment schema over the given union of fault entries (one variant per kind). The kinds live with their
 * drivers and components, so the union is built where they are registered (components/experiment.ts calls this);
 * this layer knows only what every entry has ({@link FaultEntryBase}).
 */
export function experimentSchema<K extends string>(faults: z.ZodType<FaultEntry<K>, unknown>) {
    return experimentObject(faults).superRefine((exp, ctx) => checkExperiment(exp, ctx)).transform((exp) => withDefaults(exp));
}

/** Cross-field rules: names unique, time-to-lives cover the window, probes named in stop conditions exist, ... */
function checkExperiment<K extends string>(exp: z.output<ReturnType<typeof experimentObject<K>>>, ctx: z.RefinementCtx) {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const t = { ...exp.timing, duration: exp.timing.duration ?? DEFAULT_FAULT_WINDOW_MS };
    const windowGiven = exp.timing.duration !== undefined;

    const faultNames = new Set<string>();
    const probeNames = new Set<string>();
    const probePath = new Map<string, string>();
    exp.hypothesis.probes.forEach((p, i) => {
        if (p.name === undefined) issue(["hypothesis", "probes", i, "name"], "required: a name for this probe, unique in the experiment (e.g. api-health)");
        else if (probeNames.has(p.name)) issue(["hypothesis", "probes", i, "name"], `duplicate probe name "${p.name}"; probe names must be unique`);
        else {
            probeNames.add(p.name);
            probePath.set(p.name, `hypothesis.probes[${i}]`);
        }
    });

    exp.faults.forEach((f, i) => {
        if (faultNames.has(f.name)) issue(["faults", i, "name"], `duplicate fault name "${f.name}"; fault names must be unique`);
        faultNames.add(f.name);
        const ttl = f.ttl ?? t.ttl;
        if (ttl === undefined) {
            issue(["faults", i, "ttl"], 'required: how long the fault may stay in (e.g. "10m"); set it here or as timing.ttl for every fault');
        } else if (windowGiven && ttl < t.duration) {
            issue(
                [...(f.ttl !== undefined ? ["faults", i, "ttl"] : ["timing", "ttl"])],
                `${formatDuration(ttl)} is shorter than timing.duration (${formatDuration(t.duration)}): the reaper would revert the fault mid-window; make it at least the duration plus a margin`,
            );
        }
        f.expect?.forEach((e, j) => {
            const name = e.probe.name ?? `${f.name}-expect-${j + 1}`;
            if (probeNames.has(name)) {
                issue(["faults", i, "expect", j, "probe", "name"], `duplicate probe name "${name}" (also at ${probePath.get(name)}); probe names must be unique`);
            }
            probeNames.add(name);
            probePath.set(name, `faults[${i}].expect[${j}].probe`);
            if (e.within !== undefined && e.mode !== "within") {
                issue(["faults", i, "expect", j, "within"], `only applies to mode "within"; remove it or set mode: within`);
            }
            if (e.within !== undefined && e.within > t.duration) {
                issue(["faults", i, "expect", j, "within"], `${formatDuration(e.within)} is longer than the fault window (timing.duration ${formatDuration(t.duration)}); it could never be seen`);
            }
        });
    });

    const steady = new Set(exp.hypothesis.probes.map((p) => p.name).filter((n): n is string => n !== undefined));
    exp.stopConditions.forEach((s, i) => {
        if (s.metric === "probe" && !steady.has(s.probe)) {
            const known = [...steady].join(", ") || "none; add probes under hypothesis.probes";
            issue(["stopConditions", i, "probe"], `no probe named "${s.probe}" in hypothesis.probes (known: ${known})`);
        }
        if (s.metric === "throughput" && exp.load === undefined) {
            issue(["stopConditions", i, "metric"], "throughput is measured on the load; add a load section or use another metric");
        }
    });
    if (exp.hypothesis.slo.minThroughput !== undefined && exp.load === undefined) {
        issue(["hypothesis", "slo", "minThroughput"], "throughput is measured on the load; add a load section or remove minThroughput");
    }
    if (t.recoveryDeadline < exp.hypothesis.slo.recoveryTime) {
        issue(
            ["timing", "recoveryDeadline"],
            `${formatDuration(t.recoveryDeadline)} is shorter than hypothesis.slo.recoveryTime (${formatDuration(exp.hypothesis.slo.recoveryTime)}); the runner would stop waiting before the SLO could be met`,
        );
    }
    const w = exp.score.weights;
    if (w.expectedBehaviour + w.recovery + w.recoveryTime + w.errorRate <= 0) {
        issue(["score", "weights"], "at least one weight must be greater than zero");
    }
    if (exp.environment.production && exp.approval === undefined) {
        issue(["approval"], "required when environment.production is true: say who approved it (approval.by) and where (approval.ticket)");
    }
    if (exp.blastRadius.maxTargets !== undefined && exp.blastRadius.maxTargets > 0 && exp.blastRadius.maxTargets < exp.faults.length) {
        issue(["blastRadius", "maxTargets"], `${exp.blastRadius.maxTargets} is fewer than the ${exp.faults.length} faults declared, each of which hits at least one target`);
    }
}

/** Fills in what later stages must never guess: the fault window, every fault's ttl, every expectation's probe name. */
function withDefaults<K extends string>(exp: z.output<ReturnType<typeof experimentObject<K>>>) {
    return {
    ...exp,
        timing: { ...exp.timing, duration: exp.timing.duration ?? DEFAULT_FAULT_WINDOW_MS },
    // Every fault gets its time-to-live and every expectation's probe its name, so later stages never guess.
    faults: exp.faults.map((f) => ({
        ...f,
        ttl: (f.ttl ?? exp.timing.ttl)!,
        // Only faults that declare expectations carry the key, so a fault entry parses to what was written.
        ...(f.expect
            ? {
                  expect: f.expect.map((e: Expectation, j: number) => ({
                      ...e,
                      // Only a `within` expectation has a deadline; the others refuse the key, so the parsed value parses again.
                      ...(e.mode === "within" ? { within: e.within ?? exp.hypothesis.slo.failClosedActivation } : {}),
                      probe: { ...e.probe, name: e.probe.name ?? `${f.name}-expect-${j + 1}` },
                  })),
              }
            : {}),
    })),
    hypothesis: { ...exp.hypothesis, probes: exp.hypothesis.probes.map((p) => ({ ...p, name: p.name! })) },
    };
}
/** An experiment schema over some union of kinds (see {@link experimentSchema}). */
type ExperimentSchema<K extends string> = ReturnType<typeof experimentSchema<K>>;
/** A validated experiment, with every default filled in (durations in milliseconds, ratios as fractions). */
export type ExperimentOf<K extends string = string> = z.output<ExperimentSchema<K>>;
/** A fault of a validated experiment: every default filled in. */
export type ExperimentFaultOf<K extends string = string> = ExperimentOf<K>["faults"][number];

/** A fault's expected behaviours, each with its probe named and its deadline filled in ([] when it declares none). */
export function expectationsOf(fault: { expect?: Expectation[] }): Array<Expectation & { within: number; probe: { name: string } }> {
    return (fault.expect ?? []) as Array<Expectation & { within: number; probe: { name: string } }>;
}
