// The demo's PromQL experiment gives the same verdict as its HTTP twin: stacks/Pulumi.demo-db-latency-promql.yaml and
// stacks/Pulumi.demo-db-latency.yaml, run for real (CLI, Pulumi, Docker, the project's Prometheus) against a copy of
// the demo; the specs are the stacks' own, pointed at the copy's ports, containers and Prometheus label.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { composeDown, composeUp } from "../../components/docker/compose";
import { PROJECT_ROOT, useFaultlineEnv } from "../../runner/env";
import { EvidenceSchema } from "../../runner/evidence/schema";
import { LOCK_DIR } from "../../runner/lock";
import { openStack, removeStack } from "../../runner/pulumi";
import { listReapers, revertReaper } from "../../runner/recover";
import { cli } from "../helpers/cli";
import { demoCopy } from "../helpers/demo";
import { runId } from "../helpers/docker";
import { ensurePrometheus, PROMETHEUS_URL, registerDemoTarget } from "../helpers/prometheus";

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
            .replaceAll("faultline-demo", demo.spec.projectName)
            .replaceAll(`query:`, `url: ${PROMETHEUS_URL}\n          query:`);
        return (parse(local) as { config: Record<string, unknown> }).config["faultline:experiment"];
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
        for (const name of stacks) {
            const s = await openStack(name).catch(() => undefined);
            if (s) {
                await s.destroy().catch(() => undefined);
                await removeStack(s).catch(() => undefined);
            }
            fs.rmSync(path.join(LOCK_DIR, `${name}.lock`), { force: true });
        }
        for (const r of await listReapers()) if (stacks.includes(r.stack)) await revertReaper(r);
        unregister();
        if (demo) await composeDown(demo.spec.projectName);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("both held, the PromQL one judged by its PromQL probes before, during and after the fault", async () => {
        const http = await runTwin("demo-db-latency");
        const promql = await runTwin("demo-db-latency-promql");
        assert.deepEqual([http.code, http.e.verdict], [0, "held"], http.e.reason + http.log);
        assert.deepEqual([promql.code, promql.e.verdict, promql.e.status], [0, "held", "completed"], promql.e.reason + promql.log);
        const mine = promql.e.samples.filter((s) => s.probe === "catalog-error-ratio" || s.probe === "catalog-p95");
        assert.ok(mine.filter((s) => s.phase === "warmup").length >= 20);
        assert.ok(mine.every((s) => s.ok), `every PromQL sample passes: ${mine.filter((s) => !s.ok).map((s) => `${s.phase} ${s.probe} ${s.detail}`).slice(0, 5).join("; ")}`);
        assert.ok(mine.some((s) => s.probe === "catalog-p95" && s.phase === "fault" && (s.value ?? 0) > 0.1), "the fault shows in the p95 Prometheus computes");
        console.log(`# http twin: ${http.e.verdict} score ${http.e.resilience_metrics.overall_score}; promql twin: ${promql.e.verdict} score ${promql.e.resilience_metrics.overall_score}`);
    });
});
