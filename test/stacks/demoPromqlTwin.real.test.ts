// The demo's PromQL experiment gives the same verdict as its HTTP twin: stacks/Pulumi.demo-db-latency-promql.yaml and
// stacks/Pulumi.demo-db-latency.yaml, run for real (CLI, Pulumi, Docker, the project's Prometheus) against a copy of
// the demo; the specs are the stacks' own, pointed at the copy's ports, containers and Prometheus label.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { composeDown, composeUp } from "../../components/docker/environments/compose";
import { PROJECT_ROOT, useFaultlineEnv } from "../../runner/env";
import { EvidenceSchema } from "../../runner/evidence/schema";
import { listReapers, revertReaper } from "../../runner/recover";
import { cli } from "../helpers/cli";
import { demoCopy } from "../helpers/demo";
import { runId } from "../helpers/docker";
import { ensurePrometheus, PROMETHEUS_URL, registerDemoTarget } from "../helpers/prometheus";
import { teardownRunStack } from "../helpers/faults";

describe("demo-db-latency: the PromQL twin gives the HTTP twin's verdict (real)", { timeout: 1_500_000 }, () => {
    const run = runId();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-twin-test-"));
    const stacks: string[] = [];
    let demo: Awaited<ReturnType<typeof demoCopy>>;
    let unregister = () => {};

    /** The stack's experiment, pointed at this test's copy of the demo. */
    const experimentOf = (stack: string): unknown => {
        const text = fs.readFileSync(path.join(PROJECT_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8");
        const port = new URL(demo.api).port;
        const local = text
            .replaceAll("127.0.0.1:18780", `127.0.0.1:${port}`)
            .replaceAll("faultline-demo", demo.spec.projectName);
        const exp = (parse(local) as { config: Record<string, any> }).config["faultline:experiment"];
        // The stacks use the default Prometheus URL; FAULTLINE_PROMETHEUS_PORT may move the tests' one.
        for (const p of exp.hypothesis.probes) if (p.kind === "prometheus") p.url = PROMETHEUS_URL;
        for (const c of exp.stopConditions) if (c.metric === "promql") c.url = PROMETHEUS_URL;
        return exp;
    };

    const runTwin = async (stack: string) => {
        const name = `test-twin-${stack.endsWith("promql") ? "promql" : "http"}-${run}`;
        stacks.push(name);
        const file = path.join(tmp, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(experimentOf(stack)));
        const out = path.join(tmp, name);
        const c = cli(["run", name, "--experiment", file, "--out", out, "--json"]);
        const code = await c.exit;
        const e = EvidenceSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));
        return { code, e, log: c.stderr().slice(-2000) };
    };

    before(async () => {
        useFaultlineEnv();
        ensurePrometheus();
        demo = await demoCopy(run);
        await composeUp(demo.spec);
        unregister = await registerDemoTarget(demo.spec.projectName, Number(new URL(demo.api).port));
    });

    after(async () => {
        for (const name of stacks) await teardownRunStack(name);
        for (const r of await listReapers()) if (stacks.includes(r.stack)) await revertReaper(r);
        unregister();
        if (demo) await composeDown(demo.spec.projectName);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("the same verdict; the PromQL one judged by its PromQL probes before, during and after the fault", async () => {
        const http = await runTwin("demo-db-latency");
        const promql = await runTwin("demo-db-latency-promql");
        console.log(`# http twin: ${http.e.verdict} (${http.e.reason}); promql twin: ${promql.e.verdict} (${promql.e.reason})`);
        // Held on a quiet machine; on an overloaded one both can miss the 1 s fallback deadline (the same expectation).
        assert.equal(promql.e.verdict, http.e.verdict, `${promql.e.reason} vs ${http.e.reason}`);
        assert.deepEqual([promql.e.status, http.e.status], ["completed", "completed"]);
        assert.equal(promql.code, http.code);
        const mine = promql.e.samples.filter((s) => s.probe === "catalog-error-ratio" || s.probe === "catalog-p95");
        const bad = (phase: string) => mine.filter((s) => s.phase === phase && !s.ok).map((s) => `${s.probe} ${s.detail}`);
        assert.ok(mine.filter((s) => s.phase === "warmup").length >= 20);
        assert.deepEqual(bad("warmup"), [], "the steady state holds in PromQL");
        assert.deepEqual(bad("cooldown"), [], "and is back after the rollback");
        assert.ok(mine.some((s) => s.probe === "catalog-p95" && s.phase === "fault" && (s.value ?? 0) > 0.1), "the fault shows in the p95 Prometheus computes");
    });
});
