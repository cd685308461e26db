// `faultline plan`: the experiment plan a reviewer reads before the game day: hypothesis, blast radius, expected
// behaviour, verification steps, and the `pulumi preview --diff` of the faults (with the policy pack).
import { formatDuration } from "../spec/units";
import type { ExperimentSpec } from "../components/experiment";
import { expectationsOf } from "../spec/experiment";
import { SpecError } from "../components/core/errors";
import { collectTargets, missingTargets, openExperiment } from "./experiment";
import { errorSummary, policyPacks, previewWithPolicies, violationLine, type PolicyViolation } from "./pulumi";
import { redactDeep } from "./redact";

/** Options of {@link planExperiment}. */
export interface PlanOptions {
    stack: string;
    /** Plan this experiment instead of the stack's config (it is written into the stack's config first). */
    experiment?: unknown;
    signal?: AbortSignal;
}

/** The plan of an experiment. */
export interface Plan {
    stack: string;
    experiment: string;
    owner: string | null;
    description: string | null;
    hypothesis: { text: string; slo: ExperimentSpec["hypothesis"]["slo"]; steadyStateProbes: string[] };
    environment: ExperimentSpec["environment"];
    blastRadius: { maxTargets: number | null; description: string | null; plannedTargets: Array<{ fault: string; target: string }>; withinLimit: boolean };
    faults: Array<{ name: string; kind: string; description: string; ttlMs: number; expected: Array<{ behaviour: string; mode: string; probe: string; withinMs: number | null }> }>;
    stopConditions: ExperimentSpec["stopConditions"];
    verificationSteps: string[];
    policy: { packs: string[]; passed: boolean; message: string | null; violations: PolicyViolation[] };
    preview: { stdout: string; changes: Record<string, number> };
}

/** The steps the runner will take, in words. */
export function verificationSteps(spec: ExperimentSpec): string[] {
    const t = spec.timing;
    const slo = spec.hypothesis.slo;
    const signals = [...spec.hypothesis.probes.map((p) => `${p.name} (${p.kind})`), ...(spec.load ? [`load ${spec.load.rate} req/s → ${spec.load.url}`] : [])];
    const latency = Object.entries(slo.latency).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ≤ ${formatDuration(v!)}`);
    const sloText = [`error rate ≤ ${(slo.maxErrorRate * 100).toFixed(1)}%`, ...latency, ...(slo.minThroughput ? [`throughput ≥ ${slo.minThroughput} req/s`] : [])].join(", ");
    const steps = [
        `Policy check: pulumi preview with the policy pack; refuse on a violation or if the faults hit more than ${spec.blastRadius.maxTargets ?? "the declared"} targets.`,
        `Steady state before: sample ${signals.join(", ") || "(nothing)"} every ${formatDuration(t.sampleInterval)} for ${formatDuration(Math.max(t.warmup, 1))}; require ${sloText}; otherwise abort without injecting.`,
        `Inject: pulumi up (${spec.faults.map((f) => f.name).join(", ")}); each fault has a reaper that reverts it after its TTL even if everything else dies.`,
        `Observe for ${formatDuration(t.duration)}: the same SLOs must hold while the faults are in${spec.stopConditions.length ? `; stop early on ${spec.stopConditions.map((c) => (c.metric === "probe" ? `probe ${c.probe} failing ${c.samples}×` : `${c.metric} breach ${c.samples}×`)).join(", ")}` : ""}.`,
    ];
    const expects = spec.faults.flatMap((f) => expectationsOf(f).map((e) => `${f.name}: "${e.behaviour}" (${e.probe.name}, ${e.mode}${e.mode === "within" ? ` ${formatDuration(e.within)}` : ""})`));
    if (expects.length) steps.push(`Check expected behaviour: ${expects.join("; ")}.`);
    steps.push(
        "Roll back: pulumi destroy (always: on success, failure, stop condition, Ctrl-C, SIGTERM or a crash; pending creates are cleared first).",
        `Recovery: the steady state must be back within ${formatDuration(slo.recoveryTime)} (wait at most ${formatDuration(t.recoveryDeadline)})${t.cooldown ? `, then hold for ${formatDuration(t.cooldown)}` : ""}.`,
        "Verdict and evidence: held (exit 0), refuted (exit 1, naming the violated SLO) or aborted (exit 2); evidence.json, report.md, report.html.",
    );
    return steps;
}

/** Builds the plan of a stack's experiment, running `pulumi preview --diff` with the policy pack. */
export async function planExperiment(opts: PlanOptions): Promise<Plan> {
    const { stack, spec, descriptions, secrets } = await openExperiment(opts.stack, opts.experiment);
    // A missing target is the plan's answer, before the preview and before any policy says something about it.
    const missing = await missingTargets(spec);
    if (missing.length > 0) throw new SpecError("experiment targets (nothing was previewed)", missing);
    const planned: Plan["blastRadius"]["plannedTargets"] = [];
    let stdout = "";
    let changes: Record<string, number> = {};
    let policy: Plan["policy"];
    try {
        const p = await previewWithPolicies(stack, {
            ...(opts.signal ? { signal: opts.signal } : {}),
            onEvent: collectTargets(planned),
            onOutput: (out) => (stdout += out),
        });
        changes = (p.preview?.changeSummary ?? {}) as Record<string, number>;
        const blocking = p.violations.filter((v) => v.level === "mandatory");
        policy = { packs: p.packs, passed: p.passed, message: blocking.length ? blocking.map(violationLine).join("; ") : null, violations: p.violations };
    } catch (err) {
        policy = { packs: policyPacks(), passed: false, message: errorSummary(err), violations: [] };
    }
    const max = spec.blastRadius.maxTargets ?? null;
    // Redacted as a whole, so the text and the JSON form show the same: no credential in a URL or header, no secret.
    return redactDeep<Plan>({
        stack: opts.stack,
        experiment: spec.name,
        owner: spec.owner ?? null,
        description: spec.description ?? null,
        hypothesis: { text: spec.hypothesis.text, slo: spec.hypothesis.slo, steadyStateProbes: spec.hypothesis.probes.map((p) => p.name) },
        environment: spec.environment,
        blastRadius: { maxTargets: max, description: spec.blastRadius.description ?? null, plannedTargets: planned, withinLimit: max === null || planned.length <= max },
        faults: spec.faults.map((f) => ({
            name: f.name,
            kind: f.kind,
            description: descriptions[f.name] ?? f.kind,
            ttlMs: f.ttl,
            expected: expectationsOf(f).map((e) => ({ behaviour: e.behaviour, mode: e.mode, probe: e.probe.name, withinMs: e.mode === "within" ? e.within : null })),
        })),
        stopConditions: spec.stopConditions,
        verificationSteps: verificationSteps(spec),
        policy,
        preview: { stdout, changes },
    }, secrets);
}

/** The plan as text for a terminal or a review comment. */
export function renderPlan(p: Plan): string {
    const L: string[] = [];
    L.push(`Experiment ${p.experiment} (stack ${p.stack})${p.owner ? `, owner ${p.owner}` : ""}`);
    if (p.description) L.push(`  ${p.description}`);
    L.push("", "Hypothesis", `  ${p.hypothesis.text || "(no text)"}`);
    const slo = p.hypothesis.slo;
    L.push(`  SLOs: error rate ≤ ${(slo.maxErrorRate * 100).toFixed(1)}%, ${Object.entries(slo.latency).filter(([, v]) => v !== undefined).map(([k, v]) => `latency ${k} ≤ ${formatDuration(v!)}`).join(", ")}${slo.minThroughput ? `, throughput ≥ ${slo.minThroughput} req/s` : ""}, recovery ≤ ${formatDuration(slo.recoveryTime)}, fail-closed ≤ ${formatDuration(slo.failClosedActivation)}`);
    L.push(`  Steady-state probes: ${p.hypothesis.steadyStateProbes.join(", ") || "(none)"}`);
    L.push("", "Environment", `  ${p.environment.name} (${p.environment.target})${p.environment.production ? ", PRODUCTION" : ""}${p.environment.component ? `, component ${p.environment.component}` : ""}`);
    L.push("", "Blast radius");
    if (p.blastRadius.description) L.push(`  ${p.blastRadius.description}`);
    L.push(`  Targets: ${p.blastRadius.plannedTargets.map((t) => `${t.target} (${t.fault})`).join(", ") || "(resolved at up)"}; limit ${p.blastRadius.maxTargets ?? "none"}${p.blastRadius.withinLimit ? "" : "  ← EXCEEDED"}`);
    L.push("", "Faults and expected behaviour");
    for (const f of p.faults) {
        L.push(`  - ${f.name} [${f.kind}, ttl ${formatDuration(f.ttlMs)}]: ${f.description}`);
        for (const e of f.expected) L.push(`      expect: ${e.behaviour} (${e.probe}, ${e.mode}${e.withinMs !== null ? ` ${formatDuration(e.withinMs)}` : ""})`);
    }
    if (p.stopConditions.length) {
        L.push("", "Stop conditions");
        for (const c of p.stopConditions) L.push(`  - ${JSON.stringify(c)}`);
    }
    L.push("", "Verification steps", ...p.verificationSteps.map((s, i) => `  ${i + 1}. ${s}`));
    const refused = p.policy.violations.filter((v) => v.level === "mandatory").length;
    L.push("", `Policy check: ${p.policy.packs.length ? (p.policy.passed ? "passed" : refused ? `FAILED, ${refused} mandatory violation(s)` : `FAILED: ${p.policy.message}`) : p.policy.passed ? "no policy pack installed" : `preview failed: ${p.policy.message}`}`);
    for (const v of p.policy.violations) L.push(`  ${violationLine(v)}`);
    L.push("", "pulumi preview --diff", p.preview.stdout.trim());
    return L.join("\n");
}
