// A synthetic run's evidence for unit tests of the evidence, its reports, the matrix and JUnit: the real evaluate()
// and buildEvidence() over made-up samples, without an engine.
import { ExperimentSpec } from "../../components/experiment";
import { evaluate, type Phase } from "../../runner/evaluate";
import { buildEvidence, type RunRecord } from "../../runner/evidence/build";
import type { Evidence } from "../../runner/evidence/schema";
import type { Sample } from "../../runner/probes/sampler";

/** The phases of every synthetic run (run clock, ms). */
export const phases: Phase[] = [
    { name: "preflight", start: 0, end: 500 },
    { name: "warmup", start: 500, end: 1500 },
    { name: "inject", start: 1500, end: 2000 },
    { name: "fault", start: 2000, end: 4000 },
    { name: "rollback", start: 4000, end: 4500 },
    { name: "recovery", start: 4500, end: 5000 },
    { name: "cooldown", start: 5000, end: 6000 },
];

/**
 * A synthetic run of experiment `name` on `component`, its probe failing while `failing(t)`; `extra` overrides parts
 * of the run record (e.g. the fault spans or a stop condition).
 */
export function evidence(
    name: string,
    component: string,
    failing: (t: number) => boolean,
    status: Evidence["status"] = "completed",
    at = "2026-01-01T00:00:00.000Z",
    extra: Partial<RunRecord> = {},
): Evidence {
    const spec = ExperimentSpec.parse({
        name,
        hypothesis: { text: "the API answers", probes: [{ name: "api", kind: "http", url: "http://127.0.0.1:1/" }] },
        environment: { component },
        timing: { ttl: "10m", warmup: "1s", duration: "2s", cooldown: "1s", sampleInterval: "100ms" },
        faults: [{ name: "cut", kind: "docker:network-disconnect", container: "c", network: "n" }],
    });
    const samples: Sample[] = [];
    for (let t = 500; t < 6000; t += 100) {
        const phase = phases.find((p) => t >= p.start && t < p.end)!.name;
        samples.push({ t, probe: "api", phase, ok: !failing(t), latencyMs: failing(t) ? 1000 : 12, ...(failing(t) ? { detail: "timed out after 1000 ms" } : {}) });
    }
    const outcome = status === "interrupted" ? { status, reason: "interrupted (SIGINT) during fault; faults rolled back" } : { status };
    const judgement = evaluate({ spec, samples, load: [], phases, injectedAt: { cut: 1900 }, rollbackStart: 4100, outcome, rollbackOk: true });
    return buildEvidence({
        runId: `run-${name}-${component}`,
        stack: `stack-${name}`,
        spec,
        startedAt: new Date(at),
        finishedAt: new Date(Date.parse(at) + 6000),
        durationMs: 6000,
        status,
        judgement,
        phases,
        samples,
        load: [],
        loadReport: null,
        injectedAt: { cut: 1900 },
        revertStartedAt: 4100,
        descriptions: { cut: 'disconnect container "c" from Docker network "n"' },
        plannedTargets: [{ fault: "cut", target: "c" }],
        stop: null,
        rollback: { performed: true, result: "succeeded", attempts: 1, cleared_pending_creates: false, duration_ms: 500, error: null },
        errors: [],
        ...extra,
    });
}

