import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExperimentSpec } from "../../components/experiment";
import { evaluate, recoveryOf, type Observations, type Phase } from "../../runner/evaluate";
import type { Sample } from "../../runner/probes/sampler";

const spec = (extra: Record<string, unknown> = {}) =>
    ExperimentSpec.parse({
        name: "exp",
        hypothesis: { probes: [{ name: "api", kind: "http", url: "http://127.0.0.1:1/" }] },
        timing: { ttl: "10m", warmup: "1s", duration: "2s", cooldown: "1s", sampleInterval: "100ms" },
        faults: [{ name: "cut", kind: "docker:network-disconnect", container: "c", network: "n", ...extra }],
    });

const phases: Phase[] = [
    { name: "preflight", start: 0, end: 1000 },
    { name: "warmup", start: 1000, end: 2000 },
    { name: "inject", start: 2000, end: 2500 },
    { name: "fault", start: 2500, end: 4500 },
    { name: "rollback", start: 4500, end: 5000 },
    { name: "recovery", start: 5000, end: 6000 },
    { name: "cooldown", start: 6000, end: 7000 },
];
const phaseAt = (t: number) => phases.find((p) => t >= p.start && t < p.end)?.name ?? "cooldown";

/** api samples every 100 ms from 1 s to 7 s; `failing(t)` decides which fail. */
function samples(probe: string, failing: (t: number) => boolean): Sample[] {
    const out: Sample[] = [];
    for (let t = 1000; t < 7000; t += 100) out.push({ t, probe, phase: phaseAt(t), ok: !failing(t), latencyMs: 10 });
    return out;
}

const obs = (o: Partial<Observations>): Observations => ({
    spec: spec(),
    samples: samples("api", () => false),
    load: [],
    phases,
    injectedAt: { cut: 2400 },
    rollbackStart: 4600,
    outcome: { status: "completed" },
    rollbackOk: true,
    ...o,
});

describe("evaluate", () => {
    it("holds when the steady state never breaks: score 100, recovery 0 ms", () => {
        const j = evaluate(obs({}));
        assert.equal(j.verdict, "held");
        assert.equal(j.exitCode, 0);
        assert.equal(j.score.overall, 100);
        assert.equal(j.recovery.recoveryTimeMs, 0);
        assert.equal(j.recovery.successRate, 1);
        assert.equal(j.productionReady, true);
    });

    it("refutes when errors during chaos exceed the SLO, naming it", () => {
        const j = evaluate(obs({ samples: samples("api", (t) => t >= 2500 && t < 4800) }));
        assert.equal(j.verdict, "refuted");
        assert.equal(j.exitCode, 1);
        assert.equal(j.reason, "SLO error-rate violated: error rate 76.7% while the faults were in (23 of 30) > 5.0%");
        assert.equal(j.recovery.recovered, true);
        assert.equal(j.recovery.recoveryTimeMs, 200);
    });

    it("refutes with the recovery SLO when the signal never comes back", () => {
        const j = evaluate(obs({ samples: samples("api", (t) => t >= 2500) }));
        assert.equal(j.verdict, "refuted");
        assert.deepEqual(j.violations.slice(1, 2), ["SLO recovery-time violated: api not back to steady state within the recovery deadline (60000 ms)"]);
        assert.equal(j.recovery.recovered, false);
    });

    it("checks expectations: within (activation time), negated, throughout", () => {
        const s = spec({
            expect: [
                { behaviour: "fails closed", probe: { name: "closed", kind: "tcp", port: 1 }, within: "500ms" },
                { behaviour: "unreachable", negate: true, probe: { name: "gone", kind: "tcp", port: 2 }, within: "1s" },
                { behaviour: "no loss", mode: "throughout", probe: { name: "loss", kind: "tcp", port: 3 } },
            ],
        });
        const all = [
            ...samples("api", () => false),
            ...samples("closed", (t) => t < 2700), // passes from 2.7 s: 300 ms after injection
            ...samples("gone", () => false), // never fails: negated expectation not seen
            ...samples("loss", (t) => t === 3000),
        ];
        const j = evaluate(obs({ spec: s, samples: all }));
        assert.deepEqual(
            j.expectations.map((e) => [e.probe, e.passed, e.activation_time_ms]),
            [["closed", true, 300], ["gone", false, null], ["loss", false, null]],
        );
        // From the injection at 2.4 s (during `up`) to the rollback at 4.5 s.
        assert.equal(j.expectations[2]!.detail, "failed 1 of 21 samples while the fault was in; first: failed");
        assert.equal(j.verdict, "refuted");
        // 1 of 3 expectations, plus the hypothesis' SLOs (held): 30 * 2/4
        assert.equal(j.score.parts[0]!.points, 15);
    });

    it("throughout counts from the injection, so a brief effect during `up` (a pod kill) is seen", () => {
        const s = spec({ expect: [{ behaviour: "a worker stays ready", mode: "throughout", probe: { name: "ready", kind: "tcp", port: 3 } }] });
        // Injected at 2.1 s, during `up` (2.0-2.5 s); the replacement is ready again at 2.4 s, before `up` returned.
        const j = evaluate(obs({ spec: s, injectedAt: { cut: 2100 }, samples: [...samples("api", () => false), ...samples("ready", (t) => t >= 2200 && t < 2400)] }));
        assert.deepEqual(j.expectations.map((e) => [e.passed, e.samples, e.detail]), [[false, 24, "failed 2 of 24 samples while the fault was in; first: failed"]]);
    });

    it("an interruption is aborted (exit 2) whatever was observed", () => {
        const j = evaluate(obs({ samples: samples("api", (t) => t >= 2500), outcome: { status: "interrupted", reason: "interrupted (SIGINT) during fault; faults rolled back" } }));
        assert.deepEqual([j.verdict, j.exitCode, j.reason], ["aborted", 2, "interrupted (SIGINT) during fault; faults rolled back"]);
    });

    it("a failed rollback is aborted and says to recover", () => {
        const j = evaluate(obs({ rollbackOk: false }));
        assert.deepEqual([j.verdict, j.reason], ["aborted", "rollback failed: run `faultline recover`"]);
    });

    it("recoveryOf needs a stable run of passing samples after the last failure", () => {
        const pts = [0, 100, 200, 300, 400, 500].map((t, i) => ({ t, ok: i !== 1 && i !== 3, latencyMs: 1 }));
        assert.deepEqual(recoveryOf(pts, 0, 500, 2), { recovered: true, timeMs: 400 });
        assert.deepEqual(recoveryOf(pts, 0, 500, 3), { recovered: false, timeMs: null });
    });
});
