// The PromQL probe's spec and its condition, without Prometheus (prometheus.real.test.ts queries the real one).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StopConditionSpec } from "../../../spec/experiment";
import { conditionProblem } from "../../../runner/probes/prometheus";
import { PrometheusProbeSpec } from "../../../spec/probe";

const issues = (r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
    r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];

describe("prometheus probe spec", () => {
    it("defaults the URL to the project's Prometheus and the timeout to 1s", () => {
        assert.deepEqual(PrometheusProbeSpec.parse({ kind: "prometheus", query: "up", below: 1 }), {
            kind: "prometheus",
            timeout: 1000,
            url: "http://127.0.0.1:19090",
            query: "up",
            below: 1,
        });
    });
    it("takes exactly one condition", () => {
        assert.deepEqual(issues(PrometheusProbeSpec.safeParse({ kind: "prometheus", query: "up" })), [": give exactly one condition: below, above, between or empty"]);
        assert.deepEqual(issues(PrometheusProbeSpec.safeParse({ kind: "prometheus", query: "up", below: 1, above: 0 })), [
            ": give exactly one condition: below, above, between or empty",
        ]);
    });
    it("names bad fields and the fix", () => {
        assert.deepEqual(issues(PrometheusProbeSpec.safeParse({ kind: "prometheus", query: "", url: "ftp://x", between: [2, 1] })), [
            "url: must be the http:// or https:// base URL of Prometheus, e.g. http://127.0.0.1:9090",
            "query: must not be empty: give a PromQL expression",
            "between: low is greater than high; no value can pass",
        ]);
    });
    it("a promql stop condition needs above or below", () => {
        assert.deepEqual(issues(StopConditionSpec.safeParse({ metric: "promql", query: "up" })), [": give above or below (or both): the value that stops the run"]);
        assert.equal(StopConditionSpec.parse({ metric: "promql", query: "up", above: 0.2 }).samples, 3);
    });
});

describe("conditionProblem", () => {
    const s = (value: number, labels: Record<string, string> = {}) => ({ labels, value });
    it("every series must meet a numeric condition", () => {
        assert.equal(conditionProblem([s(0.01), s(0.02)], { below: 0.05 }), undefined);
        assert.equal(conditionProblem([s(0.01), s(0.5, { route: "POST /orders" })], { below: 0.05 }), '{route="POST /orders"} 0.5 not < 0.05');
        assert.equal(conditionProblem([s(3)], { above: 3 }), "3 not > 3");
        assert.equal(conditionProblem([s(1), s(2)], { between: [1, 2] }), undefined);
        assert.equal(conditionProblem([s(NaN)], { below: 1 }), "NaN not < 1");
    });
    it("an empty result fails a numeric condition and passes empty: true", () => {
        assert.equal(conditionProblem([], { below: 1 }), "no series (no data); write `(...) or vector(0)` if no series means zero");
        assert.equal(conditionProblem([], { empty: true }), undefined);
        assert.equal(conditionProblem([s(1, { alertname: "HighErrors" })], { empty: true }), 'expected no series, got 1: {alertname="HighErrors"} 1');
        assert.equal(conditionProblem([], { empty: false }), "expected a result, got no series");
    });
});
