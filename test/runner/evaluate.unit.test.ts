import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExperimentSpec } from "../../components/experiment";
import { evaluate, recoveryOf, type Observations, type Phase } from "../../runner/evaluate";
import type { Sample } from "../../runner/probes/sampler";

const spec = (extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}, hypothesis: Record<string, unknown> = {}) =>
    ExperimentSpec.parse({
        name: "exp",
        hypothesis: { probes: [{ name: "api", kind: "http", url: "http://127.0.0.1:1/" }], ...hypothesis },
        ...top,
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
        // The chaos window is the fault phase here (no fault spans given): 2.5 s to 4.5 s, all 20 samples failing.
        assert.equal(j.reason, "SLO error-rate violated: error rate 100.0% while the faults were in (20 of 20) > 5.0%");
        assert.equal(j.recovery.recovered, true);
        assert.equal(j.recovery.recoveryTimeMs, 200);
    });

    it("judges the chaos SLOs only while each fault was in (seen in to revert begun), the transitions apart", () => {
        // 7 % of requests fail only while the fault is in (3.0 s to 4.4 s); up (2.0-3.0 s) and destroy (4.4-5.0 s) are clean.
        const failing = (t: number) => t >= 3000 && t < 4400 && t % 1000 === 0;
        const load = Array.from({ length: 600 }, (_, i) => ({ t: 1000 + i * 10, ok: !failing(1000 + i * 10), latencyMs: 5 }));
        const faultSpans = [{ fault: "cut", start: 3000, end: 4400, source: "observed" as const }];
        const load100 = { load: { url: "http://127.0.0.1:1/", rate: 100 } };
        const withLoad = spec({}, load100, { slo: { maxErrorRate: 0.01 } });
        const j = evaluate(obs({ spec: withLoad, load, faultSpans }));
        assert.deepEqual(j.chaosWindow, { counts: "fault", spans: [{ start: 3000, end: 4400 }], start: 3000, end: 4400, ms: 1400 });
        assert.equal(j.chaosErrorRate, 2 / 140);
        assert.equal(j.reason, "SLO error-rate violated: error rate 1.4% while the faults were in (2 of 140) > 1.0%");
        assert.deepEqual([j.transitions.inject?.start, j.transitions.inject?.end, j.transitions.inject?.errors], [2000, 3000, 0]);
        assert.deepEqual([j.transitions.rollback?.start, j.transitions.rollback?.end, j.transitions.rollback?.errors], [4400, 5000, 0]);
        // The same errors diluted over up + fault + destroy: what `window: transitions` asks for.
        const whole = evaluate(obs({ spec: spec({}, load100, { slo: { maxErrorRate: 0.01 }, window: "transitions" }), load, faultSpans }));
        assert.equal(whole.chaosWindow?.ms, 3000);
        assert.equal(whole.chaosErrorRate, 2 / 300);
        assert.equal(whole.verdict, "held");
    });

    it("does not count errors during up toward the chaos SLOs: they show in the inject transition", () => {
        const faultSpans = [{ fault: "cut", start: 2500, end: 4500, source: "observed" as const }];
        const j = evaluate(obs({ samples: samples("api", (t) => t >= 2000 && t < 2500), faultSpans }));
        assert.equal(j.verdict, "held");
        assert.equal(j.chaosErrorRate, 0);
        assert.deepEqual([j.transitions.inject?.count, j.transitions.inject?.errors], [5, 5]);
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
