// The recovery design: the companion of the failure-mode matrix. For each SLO a refuted run violated and each fault
// that was in, the resilience pattern that would have held, and what to verify after adding it. The rules are data
// (RECOVERY_RULES), matched most specific first; the code only looks them up.
import type { FaultClass } from "../../components/core/defineFault";
import { FAULTS } from "../../components/registry";
import type { Evidence } from "./schema";

/**
 * Each fault kind's class, as its definition declares it (the registry's kinds). A kind without one (the AWS kinds: a FIS
 * template may hold any actions) matches only the rules for any class.
 */
export const FAULT_CLASS: Readonly<Record<string, FaultClass>> = Object.fromEntries(FAULTS.flatMap((f) => (f.failureClass ? [[f.kind, f.failureClass]] : [])));

/** The SLO families a rule can answer: `latency` stands for every `latency-<percentile>`. */
export type SloFamily = "latency" | "error-rate" | "throughput" | "recovery-time" | "expectation";

/** One rule: when an SLO of `slo` is violated under a fault of `faultClass` ("*": any), adopt `pattern`. */
export interface RecoveryRule {
    slo: SloFamily;
    faultClass: FaultClass | "*";
    /** For `expectation` rules: the expected behaviour's words this rule is about (case-insensitive). */
    behaviour?: RegExp;
    /** The resilience pattern that would have held. */
    pattern: string;
    /** What to verify after adding it: the experiment to re-run and what it must show. */
    verify: string;
}

/** The rules, most specific first within each SLO family (a class before "*"). */
export const RECOVERY_RULES: readonly RecoveryRule[] = [
    { slo: "latency", faultClass: "slow-dependency", pattern: "a timeout on every call to the dependency, set below the latency SLO, with a fallback answer when it fires", verify: "re-run: p95 stays under the SLO while the dependency is slow, and the timed-out calls fit in the error budget" },
    { slo: "latency", faultClass: "resource-pressure", pattern: "resource requests and limits sized from the measured peak, and load shedding (503 with Retry-After) before the queue grows", verify: "re-run: latency stays under the SLO under the same pressure; shed requests are counted and within the error budget" },
    { slo: "latency", faultClass: "*", pattern: "a deadline on the request path (timeouts that add up to less than the SLO) and a bulkhead per dependency", verify: "re-run: p95 stays under the SLO; no request waits longer than its deadline" },
    { slo: "error-rate", faultClass: "dependency-outage", pattern: "a fallback or a cache for the dependency's answers (serve stale, degrade the feature) behind a circuit breaker", verify: "re-run: the error rate stays under the SLO while the dependency is down; the breaker opens within fail-closed activation and closes after recovery" },
    { slo: "error-rate", faultClass: "slow-dependency", pattern: "timeouts plus retries with exponential backoff and jitter, capped by a retry budget (at most ~10 % extra requests)", verify: "re-run: the error rate stays under the SLO and the dependency's request rate during the fault stays within the budget (no retry storm)" },
    { slo: "error-rate", faultClass: "crash", pattern: "more than one replica behind a health-checked load balancer, and clients that retry idempotent requests on another instance", verify: "re-run: the error rate stays under the SLO while one instance is down; retried requests are idempotent (no duplicates)" },
    { slo: "error-rate", faultClass: "dns", pattern: "a DNS cache that serves the last good answer when resolution fails (and respects TTLs otherwise)", verify: "re-run: the error rate stays under the SLO while DNS fails, for at least the cache's stale window" },
    { slo: "error-rate", faultClass: "disk", pattern: "a disk-space guard: reject writes early with a clear error, alert at a reserve, rotate or offload before full", verify: "re-run: reads keep working and writes fail fast with the documented error; the alert fires at the reserve" },
    { slo: "error-rate", faultClass: "clock", pattern: "monotonic clocks for timeouts and leeway on time-based checks (token expiry, signatures)", verify: "re-run: requests keep succeeding with the clock skewed by the same offset" },
    { slo: "error-rate", faultClass: "resource-pressure", pattern: "load shedding and admission control (reject early with 503 and Retry-After) instead of failing late", verify: "re-run: the error rate stays under the SLO; the errors that remain are fast, explicit rejections" },
    { slo: "error-rate", faultClass: "*", pattern: "a fallback on the failing path, and a circuit breaker so failures are fast and bounded", verify: "re-run: the error rate stays under the SLO while the fault is in" },
    { slo: "throughput", faultClass: "*", pattern: "bulkheads (a separate pool per dependency) so one slow or failing dependency cannot take every worker", verify: "re-run: throughput stays above the floor for the requests that do not need the faulty dependency" },
    { slo: "recovery-time", faultClass: "crash", pattern: "a restart policy (always / on-failure) and a readiness check that gates traffic until the service is really ready", verify: "re-run: back to the steady state within the recovery SLO; no request is routed to an instance before it is ready" },
    { slo: "recovery-time", faultClass: "*", pattern: "clients that reconnect (pools drop dead connections), and circuit breakers with a short half-open probe", verify: "re-run: back to the steady state within the recovery SLO after the fault is reverted" },
    { slo: "expectation", faultClass: "*", behaviour: /duplicat|exactly.once|idempot/i, pattern: "idempotency keys on every write, stored with the result, so a retried or redelivered request is applied once", verify: "re-run: the duplicate-count probe stays at 0 while the fault forces retries" },
    { slo: "expectation", faultClass: "*", behaviour: /poison|dlq|dead.?letter/i, pattern: "a dead-letter queue after N failed deliveries, with an alert on its depth", verify: "re-run: the poison message lands in the DLQ and the queue behind it keeps draining" },
    { slo: "expectation", faultClass: "*", behaviour: /retry storm|amplif|retries/i, pattern: "retries with exponential backoff and jitter, and a retry budget shared by the client", verify: "re-run: the dependency sees at most the budget's extra requests during the fault" },
    { slo: "expectation", faultClass: "*", behaviour: /fail.?closed|deny|refuse/i, pattern: "fail closed: the control denies by default when its dependency cannot answer, within a deadline", verify: "re-run: the fail-closed probe passes within fail-closed activation" },
    { slo: "expectation", faultClass: "*", pattern: "the behaviour the experiment expects, made explicit in code (a timeout, a fallback, a guard) and covered by a test", verify: "re-run: the expected behaviour is seen within its deadline" },
];

/** The SLO family of an SLO name (`latency-p95` → `latency`); undefined for names no rule covers. */
export function sloFamily(slo: string): SloFamily | undefined {
    if (slo.startsWith("latency")) return "latency";
    return (["error-rate", "throughput", "recovery-time", "expectation"] as const).find((f) => f === slo);
}

/** The rule for a violated SLO under a fault kind (and, for expectations, the behaviour's words). */
export function recoveryRule(slo: string, kind: string, behaviour = ""): RecoveryRule | undefined {
    const family = sloFamily(slo);
    const cls = FAULT_CLASS[kind];
    const fits = (r: RecoveryRule) => r.slo === family && (!r.behaviour || r.behaviour.test(behaviour));
    return RECOVERY_RULES.find((r) => fits(r) && r.faultClass === cls) ?? RECOVERY_RULES.find((r) => fits(r) && r.faultClass === "*");
}

/** One line of a run's recovery design. */
export interface DesignItem {
    fault: string;
    kind: string;
    /** The violated SLO (`error-rate`, `latency-p95`, `recovery-time`) or `expectation: <behaviour>`. */
    slo: string;
    pattern: string;
    verify: string;
}

/** The recovery design of a refuted run: per violated SLO and executed fault, the pattern and what to verify. */
export function recoveryDesign(e: Pick<Evidence, "outcome" | "slo_results" | "chaos_scenarios" | "recovery_validation" | "fail_closed_behavior">): DesignItem[] {
    if (e.outcome !== "refuted") return [];
    const violated = [...new Set(e.slo_results.filter((r) => !r.passed && r.window !== "steady-state").map((r) => r.slo))];
    if (e.recovery_validation.slo_compliance === false || e.recovery_validation.recovered === false) violated.push("recovery-time");
    const items: DesignItem[] = [];
    for (const s of e.chaos_scenarios.filter((c) => c.executed)) {
        for (const slo of violated) {
            const rule = recoveryRule(slo, s.kind);
            if (rule) items.push({ fault: s.fault, kind: s.kind, slo, pattern: rule.pattern, verify: rule.verify });
        }
        for (const x of e.fail_closed_behavior.expectations.filter((x) => x.fault === s.fault && !x.passed)) {
            const rule = recoveryRule("expectation", s.kind, x.behaviour);
            if (rule) items.push({ fault: s.fault, kind: s.kind, slo: `expectation: ${x.behaviour}`, pattern: rule.pattern, verify: rule.verify });
        }
    }
    return items;
}
