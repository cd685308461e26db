import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FAULT_KINDS } from "../../../components/experiment";
import { FAULT_CLASS, RECOVERY_RULES, recoveryDesign, recoveryRule, sloFamily } from "../../../runner/evidence/recoveryDesign";
import type { Evidence } from "../../../runner/evidence/schema";

/** A refuted run's judgement, with only what the recovery design reads. */
function refuted(kind: string, failed: Array<{ slo: string; window: "chaos" | "recovery" | "steady-state" }>, extra: Partial<Evidence> = {}) {
    return {
        outcome: "refuted" as const,
        slo_results: failed.map((f) => ({ slo: f.slo, window: f.window, limit: 0, observed: 1, unit: "ratio" as const, passed: false, message: "" })),
        chaos_scenarios: [{ fault: "f", kind, description: "", executed: true, validated: false, injected_at_ms: 1 }],
        recovery_validation: { recovered: true, recovery_time_ms: 10, recovery_time_p95_ms: 10, recovery_slo_ms: 30_000, measured_from_ms: 1, success_rate: 1, slo_compliance: true, per_probe: [] },
        fail_closed_behavior: { activation_time_ms: null, triggers_validated: [], behavior_correct: true, expectations: [] },
        ...extra,
    } as Pick<Evidence, "outcome" | "slo_results" | "chaos_scenarios" | "recovery_validation" | "fail_closed_behavior">;
}

describe("recovery design (rules as data)", () => {
    // A Docker kind's class is a required field of its definition (a type error if missing); the Kubernetes kinds
    // are listed in the recovery design's table, and this catches a new one left out. FIS templates mix actions.
    it("every fault kind an experiment can declare has a fault class, except AWS FIS templates", () => {
        const missing = FAULT_KINDS.filter((k) => !k.startsWith("aws:") && !(k in FAULT_CLASS));
        assert.deepEqual(missing, []);
    });

    it("every SLO family has a catch-all rule, so a violated SLO never goes without a pattern", () => {
        for (const family of ["latency", "error-rate", "throughput", "recovery-time", "expectation"] as const) {
            assert.ok(RECOVERY_RULES.some((r) => r.slo === family && r.faultClass === "*" && !r.behaviour), family);
        }
    });

    it("picks the specific pattern for the SLO and fault class", () => {
        const pattern = (slo: string, kind: string, behaviour?: string) => recoveryRule(slo, kind, behaviour)?.pattern ?? "";
        assert.match(pattern("latency-p95", "docker:toxiproxy-toxic"), /^a timeout on every call to the dependency/);
        assert.match(pattern("error-rate", "docker:network-disconnect"), /^a fallback or a cache/);
        assert.match(pattern("error-rate", "docker:netem"), /retries with exponential backoff and jitter, capped by a retry budget/);
        assert.match(pattern("recovery-time", "docker:container-kill"), /^a restart policy .* readiness check/);
        assert.match(pattern("expectation", "docker:container-kill", "no duplicate orders"), /^idempotency keys/);
        assert.match(pattern("expectation", "docker:container-kill", "poison message goes to the DLQ"), /^a dead-letter queue/);
        // Unknown kinds and classes fall back to the family's catch-all.
        assert.match(pattern("error-rate", "aws:fis-experiment-run"), /^a fallback on the failing path/);
        assert.equal(sloFamily("latency-p99"), "latency");
        assert.equal(recoveryRule("made-up", "docker:netem"), undefined);
    });

    it("a refuted run gets one line per violated SLO and fault; steady-state SLOs and held runs get none", () => {
        const e = refuted("docker:network-disconnect", [{ slo: "error-rate", window: "chaos" }, { slo: "latency-p95", window: "steady-state" }], {});
        assert.deepEqual(recoveryDesign(e).map((d) => [d.fault, d.kind, d.slo]), [["f", "docker:network-disconnect", "error-rate"]]);
        assert.deepEqual(recoveryDesign({ ...e, outcome: "held" }), []);
        assert.deepEqual(recoveryDesign({ ...e, outcome: "aborted" }), []);
    });

    it("slow recovery and missed expectations have their own lines", () => {
        const e = refuted("docker:process-kill", [], {
            recovery_validation: { recovered: true, recovery_time_ms: 45_000, recovery_time_p95_ms: 45_000, recovery_slo_ms: 30_000, measured_from_ms: 1, success_rate: 1, slo_compliance: false, per_probe: [] },
            fail_closed_behavior: {
                activation_time_ms: null,
                triggers_validated: [],
                behavior_correct: false,
                expectations: [{ fault: "f", behaviour: "no duplicate payments", mode: "throughout", probe: "dups", critical: true, passed: false, activation_time_ms: null, deadline_ms: null, samples: 3, detail: "" }],
            },
        });
        const d = recoveryDesign(e);
        assert.deepEqual(d.map((x) => x.slo), ["recovery-time", "expectation: no duplicate payments"]);
        assert.match(d[0]!.pattern, /^a restart policy/);
        assert.match(d[1]!.pattern, /^idempotency keys/);
        assert.match(d[1]!.verify, /^re-run: /);
    });
});
