// Real-engine test of the runner CLI: the real Pulumi CLI (Automation API, local file backend) and a real Docker
// engine. A tiny system: two busybox httpd containers ("web" and "other") on one network, published on
// loopback ports the kernel chose; the fault cuts "web" off the network.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { EvidenceSchema, type Evidence } from "../../runner/evidence/schema";
import { useFaultlineEnv } from "../../runner/env";
import { LOCK_DIR } from "../../runner/lock";
import { liveResources, openStack } from "../../runner/pulumi";
import { listReapers } from "../../runner/recover";
import { cli, cliCases } from "../helpers/cli";
import { freePort } from "../helpers/demo";
import { cleanupRun, createNetwork, endpointOf, runContainer, runId } from "../helpers/docker";

async function reachable(port: number): Promise<boolean> {
    try {
        const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
        return r.ok;
    } catch {
        return false;
    }
}

describe("faultline run (real Docker, real Pulumi engine)", { timeout: 1_800_000 }, () => {
    const run = runId();
    const net = `flt-run-${run}`;
    const web = `flt-run-web-${run}`;
    const other = `flt-run-other-${run}`;
    const { tmp, stacks, setup, cleanup } = cliCases("run", run);
    let webPort = 0;
    let otherPort = 0;

    /** An experiment whose steady state is `probePort`; the fault always cuts `web` off. */
    const experiment = (name: string, probePort: number, extra: Record<string, unknown> = {}) => ({
        name,
        owner: "sre-team",
        hypothesis: {
            text: `the service on ${probePort} keeps answering while web is cut off`,
            probes: [{ name: "service-http", kind: "http", url: `http://127.0.0.1:${probePort}/`, bodyContains: "hello" }],
            // The test machine is shared and often overloaded: latency is not what these tests are about.
            slo: { latency: { p95: "5s" } },
        },
        environment: { name: "test", component: probePort === webPort ? "web" : "other" },
        // The policy pack requires one; 1000 failing samples in a row (50 s) never happens in these short windows.
        stopConditions: [{ metric: "probe", probe: "service-http", samples: 1000 }],
        timing: { warmup: "1s", duration: "4s", cooldown: "1s", ttl: "10m", recoveryDeadline: "60s", sampleInterval: "50ms" },
        faults: [
            {
                name: "web-partition",
                kind: "docker:network-disconnect",
                container: web,
                network: net,
                expect: [{ behaviour: "web is unreachable within 5s", negate: true, within: "4s", probe: { kind: "http", url: `http://127.0.0.1:${webPort}/`, timeout: "300ms" } }],
            },
        ],
        ...extra,
    });

    const evidenceOf = (out: string): Evidence => EvidenceSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        webPort = await freePort();
        otherPort = await freePort();
        const httpd = ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"];
        // Opted in for the policy pack's opt-in-targets policy.
        await runContainer({ name: web, run, network: net, aliases: ["web"], publish: 8080, hostPort: webPort, cmd: httpd, labels: { "chaos.opt-in": "true" } });
        await runContainer({ name: other, run, network: net, aliases: ["other"], publish: 8080, hostPort: otherPort, cmd: httpd, optIn: false });
        for (let i = 0; i < 50 && !((await reachable(webPort)) && (await reachable(otherPort))); i++) await new Promise((r) => setTimeout(r, 200));
        assert.equal(await reachable(webPort), true, "precondition: web answers on its port");
    });

    after(async () => {
        await cleanup();
        for (const r of await listReapers()) if (stacks.includes(r.stack)) await import("../../runner/recover").then((m) => m.revertReaper(r));
        await cleanupRun(run);
    });

    it("held: a probe on the unaffected service; exit 0, score >= 90, evidence and reports written", async () => {
        const { stack, file, out } = setup("held", experiment("other-survives", otherPort));
        const c = cli(["run", stack, "--experiment", file, "--out", out, "--json"]);
        const code = await c.exit;
        assert.equal(code, 0, c.stderr() + c.stdout());
        const summary = JSON.parse(c.stdout()) as { verdict: string; exit_code: number };
        assert.deepEqual([summary.verdict, summary.exit_code], ["held", 0]);
        const e = evidenceOf(out);
        assert.equal(e.verdict, "held");
        assert.equal(e.status, "completed");
        assert.equal(e.component, "other");
        assert.ok((e.resilience_metrics.overall_score ?? -1) >= 90, `score ${e.resilience_metrics.overall_score}`);
        assert.ok((e.resilience_metrics.overall_score ?? 101) <= 100);
        assert.deepEqual(e.chaos_scenarios.map((s) => [s.fault, s.executed, s.validated]), [["web-partition", true, true]]);
        assert.equal(e.fail_closed_behavior.behavior_correct, true);
        assert.ok(e.fail_closed_behavior.activation_time_ms !== null && e.fail_closed_behavior.activation_time_ms <= 4000);
        assert.equal(e.rollback.result, "succeeded");
        assert.equal(e.recovery_validation.recovered, true);
        assert.deepEqual(e.timing.phases.map((p) => p.name), ["preflight", "warmup", "inject", "fault", "rollback", "recovery", "cooldown"]);
        assert.ok(e.samples.length > 50);
        assert.match(fs.readFileSync(path.join(out, "report.md"), "utf8"), /^# other-survives: HELD/);
        assert.match(fs.readFileSync(path.join(out, "report.html"), "utf8"), /<svg[\s\S]*class="fault"/);
        assert.equal(await reachable(webPort), true, "web is back after the run");
    });

    it("refuted: a probe on the cut-off service; exit 1, the violated SLO named", async () => {
        const { stack, file, out } = setup("refuted", experiment("web-survives", webPort));
        const c = cli(["run", stack, "--experiment", file, "--out", out]);
        const code = await c.exit;
        assert.equal(code, 1, c.stderr() + c.stdout());
        assert.match(c.stdout(), /^REFUTED: SLO error-rate violated: error rate \d+\.\d% while the faults were in \(\d+ of \d+\) > 5\.0%$/m);
        const e = evidenceOf(out);
        assert.equal(e.verdict, "refuted");
        assert.equal(e.exit_code, 1);
        assert.deepEqual(
            e.slo_results.filter((r) => !r.passed).map((r) => [r.slo, r.window]),
            [["error-rate", "chaos"]],
        );
        assert.equal(e.recovery_validation.recovered, true, "web comes back on the same port after rollback");
        assert.ok((e.resilience_metrics.overall_score ?? 101) < 90, `score ${e.resilience_metrics.overall_score}`);
        assert.equal(await reachable(webPort), true);
    });

    it("SIGINT during the fault window: rolled back, report interrupted, exit 2; a second run is refused by the lock", async () => {
        const { stack, file, out } = setup("sigint", experiment("sigint", otherPort, { timing: { warmup: "1s", duration: "5m", ttl: "10m" } }));
        const c = cli(["run", stack, "--experiment", file, "--out", out]);
        await c.waitFor(/\] fault /);
        assert.equal(await endpointOf(web, net), undefined, "web is cut off during the fault window");

        const second = cli(["run", stack, "--experiment", file, "--out", path.join(tmp, "out-second")]);
        assert.equal(await second.exit, 2);
        assert.match(second.stderr(), new RegExp(`error: stack "${stack}" is locked by a running faultline \\(pid \\d+ on .+, faultline run, since .+\\); wait for it to finish`));

        c.child.kill("SIGINT");
        await c.waitFor(/SIGINT: stopping the experiment and rolling back/);
        c.child.kill("SIGINT"); // a second Ctrl-C must not skip the rollback
        const code = await c.exit;
        assert.equal(code, 2, c.stderr() + c.stdout());
        assert.match(c.stderr(), /rollback in progress, it is never skipped/);
        const e = evidenceOf(out);
        assert.equal(e.status, "interrupted");
        assert.equal(e.verdict, "aborted");
        assert.match(e.reason, /^interrupted \(SIGINT\) during fault; faults rolled back$/);
        assert.equal(e.rollback.result, "succeeded");
        assert.match(fs.readFileSync(path.join(out, "report.md"), "utf8"), /^# sigint: ABORTED \(not evaluated\)/);
        assert.notEqual(await endpointOf(web, net), undefined, "web is reattached");
        assert.equal(await reachable(webPort), true);
        assert.deepEqual(await liveResources(await openStack(stack)), []);
    });

    it("recover: after a SIGKILLed run, destroys the faults it left", async () => {
        const { stack, file, out } = setup("killed", experiment("killed", otherPort, { timing: { warmup: "1s", duration: "5m", ttl: "10m" } }));
        const c = cli(["run", stack, "--experiment", file, "--out", out]);
        await c.waitFor(/\] fault /);
        const worker = (JSON.parse(fs.readFileSync(path.join(LOCK_DIR, `${stack}.lock`), "utf8")) as { pid: number }).pid;
        process.kill(-worker, "SIGKILL"); // the worker, and the Pulumi processes of its group
        c.child.kill("SIGKILL");
        await c.exit;
        assert.equal(await endpointOf(web, net), undefined, "the fault is still in after the crash");
        assert.equal((await listReapers(stack)).length, 1, "its reaper is armed");

        const r = cli(["recover", "--stack", stack, "--json"]);
        assert.equal(await r.exit, 0, r.stderr() + r.stdout());
        const report = JSON.parse(r.stdout()) as { stacks: Array<{ stack: string; action: string }>; reapers: unknown[] };
        assert.deepEqual(report.stacks.map((s) => [s.stack, s.action]), [[stack, "destroyed"]], r.stdout());
        assert.deepEqual(report.reapers, []);
        assert.notEqual(await endpointOf(web, net), undefined, "web is reattached");
        assert.equal(await reachable(webPort), true);
        assert.equal((await listReapers(stack)).length, 0, "destroy disarmed the reaper");
    });
});
