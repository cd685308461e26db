// Real test of the PromQL probe and stop condition: the project's own Prometheus (scripts/prometheus.sh) scrapes a
// copy of the demo system; the probe is checked against real query answers; then a real run (CLI, Pulumi, Docker)
// takes the queue down (docker:dependency-down on the redis proxy) and a PromQL stop condition ends it early.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeDown, composeUp } from "../../../components/docker/environments/compose";
import { useFaultlineEnv } from "../../../runner/env";
import { EvidenceSchema } from "../../../runner/evidence/schema";
import { prometheusProbe } from "../../../runner/probes/prometheus";
import { PrometheusProbeSpec } from "../../../spec/probe";
import { listReapers, revertReaper } from "../../../runner/recover";
import { cli } from "../../helpers/cli";
import { demoCopy, http } from "../../helpers/demo";
import { runId } from "../../helpers/docker";
import { ensurePrometheus, PROMETHEUS_URL, registerDemoTarget } from "../../helpers/prometheus";
import { teardownRunStack } from "../../helpers/faults";

/** The share of POST /orders answered 5xx over 5 s; 0 when there were no orders (no traffic, no errors). */
const errorRatio = (sandbox: string) => {
    const sel = `sandbox="${sandbox}",route="POST /orders"`;
    return `((sum(rate(http_requests_total{${sel},status=~"5.."}[5s])) or vector(0)) / (sum(rate(http_requests_total{${sel}}[5s])) > 0)) or vector(0)`;
};

describe("prometheus probe and promql stop condition (real Prometheus, demo, Pulumi)", { timeout: 900_000 }, () => {
    const run = runId();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-prom-test-"));
    const stack = `test-prom-${run}`;
    let demo: Awaited<ReturnType<typeof demoCopy>>;
    let unregister = () => {};
    const probe = (fields: Record<string, unknown>) => prometheusProbe({ ...PrometheusProbeSpec.parse({ kind: "prometheus", url: PROMETHEUS_URL, timeout: "2s", ...fields }), name: "p" });

    before(async () => {
        useFaultlineEnv();
        ensurePrometheus();
        demo = await demoCopy(run);
        await composeUp(demo.spec);
        assert.equal((await http(`${demo.api}/metrics`)).status, 200, "the demo image serves /metrics (rebuild it: bash scripts/build-images.sh)");
        unregister = await registerDemoTarget(demo.spec.projectName, Number(new URL(demo.api).port));
    });

    after(async () => {
        await teardownRunStack(stack);
        for (const r of await listReapers()) if (r.stack === stack) await revertReaper(r);
        unregister();
        if (demo) await composeDown(demo.spec.projectName);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("evaluates conditions on real answers: scalar, vector, empty, errors", async () => {
        const sandbox = demo.spec.projectName;
        const up = await probe({ query: `up{sandbox="${sandbox}"}`, between: [1, 1] }).sample();
        assert.deepEqual([up.ok, up.value, up.detail], [true, 1, `{__name__="up",instance="127.0.0.1:${new URL(demo.api).port}",job="demo-api",sandbox="${sandbox}"} 1`]);
        const redisUp = await probe({ query: `demo_redis_up{sandbox="${sandbox}"}`, above: 0.5 }).sample();
        assert.equal(redisUp.ok, true, redisUp.detail);
        const scalar = await probe({ query: "scalar(vector(0.25))", below: 0.2 }).sample();
        assert.deepEqual([scalar.ok, scalar.value, scalar.detail], [false, 0.25, "0.25 not < 0.2"]);
        const none = await probe({ query: `up{sandbox="no-such-sandbox"}`, empty: true }).sample();
        assert.deepEqual([none.ok, none.detail], [true, "no series"]);
        const noData = await probe({ query: `up{sandbox="no-such-sandbox"}`, above: 0 }).sample();
        assert.deepEqual([noData.ok, noData.detail], [false, "no series (no data); write `(...) or vector(0)` if no series means zero"]);
        const bad = await probe({ query: "sum(rate(", below: 1 }).sample();
        assert.equal(bad.ok, false);
        assert.match(bad.detail, /^PromQL bad_data: .*parse error/);
        const range = await probe({ query: "up[5s]", below: 1 }).sample();
        assert.equal(range.detail, "the query returns a matrix, not an instant vector or scalar; wrap a range selector in rate(), avg_over_time() or similar");
        const refused = await prometheusProbe({ ...PrometheusProbeSpec.parse({ kind: "prometheus", url: "http://127.0.0.1:9", query: "up", below: 1 }), name: "p" }).sample();
        assert.deepEqual([refused.ok, refused.detail.split(":")[0]], [false, "fetch failed"]);
    });

    it("passes in steady state, fails while the queue is down, and its stop condition rolls the run back", async () => {
        const sandbox = demo.spec.projectName;
        const query = errorRatio(sandbox);
        const experiment = {
            name: "orders-survive-queue-down",
            owner: "sre-team",
            environment: { name: "test", component: "orders" },
            hypothesis: {
                text: "under 5% of orders fail while the queue is down",
                probes: [{ name: "orders-5xx-ratio", kind: "prometheus", url: PROMETHEUS_URL, query, below: 0.05, timeout: "2s" }],
                slo: { latency: { p95: "5s" } },
            },
            stopConditions: [{ metric: "promql", url: PROMETHEUS_URL, query, above: 0.2, samples: 2 }],
            timing: { warmup: "5s", duration: "60s", cooldown: "2s", ttl: "10m", recoveryDeadline: "60s", sampleInterval: "250ms" },
            faults: [{ name: "queue-down", kind: "docker:dependency-down", toxiproxy: { container: demo.names.toxiproxy }, proxy: "redis" }],
        };
        const file = path.join(tmp, "exp.json");
        fs.writeFileSync(file, JSON.stringify(experiment));
        const out = path.join(tmp, "out");
        // The orders the PromQL measures: 10 a second from here, bounded (it ends with the run, or after 5 minutes).
        let traffic = true;
        const deadline = Date.now() + 300_000;
        const client = (async () => {
            for (let i = 0; traffic && Date.now() < deadline; i++) {
                await http(`${demo.api}/orders`, { method: "POST", body: { sku: "pear", qty: 1 }, timeoutMs: 3_000 });
                await new Promise((r) => setTimeout(r, 100));
            }
        })();
        try {
            const junit = path.join(tmp, "junit.xml");
            const c = cli(["run", stack, "--experiment", file, "--out", out, "--json", "--junit", junit]);
            const code = await c.exit;
            const e = EvidenceSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));
            assert.equal(code, 1, c.stderr().slice(-3000));
            assert.deepEqual([e.status, e.verdict], ["stopped", "refuted"]);
            assert.equal(e.stop_condition?.metric, "promql");
            assert.match(fs.readFileSync(junit, "utf8"), /<testcase classname="faultline\.orders" name="orders-survive-queue-down" time="[\d.]+">\s*<failure type="refuted" message="stop condition: PromQL [^"]*; SLO error-rate violated: /);
            assert.match(e.stop_condition!.message, /^PromQL .* = \d(\.\d+)? > 0\.2 for 2 queries in a row \(limit 2\)$/);
            const samples = (phase: string) => e.samples.filter((s) => s.probe === "orders-5xx-ratio" && s.phase === phase);
            assert.ok(samples("warmup").length >= 10 && samples("warmup").every((s) => s.ok), "steady state: every PromQL sample passes");
            assert.ok(samples("fault").some((s) => !s.ok), "while the queue is down, the PromQL probe fails");
            const fault = e.timing.phases.find((p) => p.name === "fault")!;
            const faultMs = fault.end_ms - fault.start_ms;
            // The stop fired well before the 60 s window ended: Prometheus scrapes every second over a 5 s rate window.
            assert.ok(faultMs < 20_000, `the fault window lasted ${faultMs} ms`);
            assert.equal(e.rollback.result, "succeeded");
            assert.equal(e.recovery_validation.recovered, true);
            const placed = await http(`${demo.api}/orders`, { method: "POST", body: { sku: "pear", qty: 1 } });
            assert.equal(placed.status, 202, "orders are accepted again after the rollback");
            console.log(`# PromQL stop fired after ${faultMs} ms of fault window; recovery ${e.recovery_validation.recovery_time_ms} ms`);
        } finally {
            traffic = false;
            await client;
        }
    });
});
