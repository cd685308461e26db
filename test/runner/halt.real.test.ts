// Real-engine test of the safety lever: `faultline halt` pulled in the middle of a running experiment. Real Docker,
// the real Pulumi engine, the CLI as users run it. The lever and the sweep are scoped to this test (its own lever
// volume, its own stack prefix): the engine is shared with other work whose faults are not ours to end.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { readHalt, releaseHalt } from "../../components/core/halt";
import { useFaultlineEnv } from "../../runner/env";
import { EvidenceSchema, type Evidence } from "../../runner/evidence/schema";
import { liveResources, openStack } from "../../runner/pulumi";
import { listReapers, revertReaper } from "../../runner/recover";
import { cli } from "../helpers/cli";
import { freePort } from "../helpers/demo";
import { cleanupRun, createNetwork, endpointOf, runContainer, runId } from "../helpers/docker";
import { teardownRunStack } from "../helpers/faults";
import { summarizedByEvents } from "../helpers/pulumi";

describe("faultline halt (real Docker, real Pulumi engine)", { timeout: 1_200_000 }, () => {
    const run = runId();
    const net = `flt-halt-${run}`;
    const web = `flt-halt-web-${run}`;
    const other = `flt-halt-other-${run}`;
    const prefix = `test-halt-${run}`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-halt-test-"));
    const stacks: string[] = [];
    let otherPort = 0;

    const experiment = (duration: string) => ({
        name: "halt-me",
        hypothesis: {
            text: "other keeps answering while web is cut off",
            probes: [{ name: "other-http", kind: "http", url: `http://127.0.0.1:${otherPort}/`, bodyContains: "hello" }],
            slo: { latency: { p95: "5s" } },
        },
        environment: { name: "test", component: "other" },
        stopConditions: [{ metric: "probe", probe: "other-http", samples: 1000 }],
        timing: { warmup: "1s", duration, cooldown: "0s", ttl: "10m", recoveryDeadline: "60s", sampleInterval: "100ms" },
        faults: [{ name: "web-partition", kind: "docker:network-disconnect", container: web, network: net }],
    });
    const file = (name: string, exp: unknown) => {
        const f = path.join(tmp, `${name}.json`);
        fs.writeFileSync(f, JSON.stringify(exp));
        return f;
    };
    const stackName = (s: string) => {
        const name = `${prefix}-${s}`;
        stacks.push(name);
        return name;
    };
    const evidenceOf = (out: string): Evidence => EvidenceSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));

    before(async () => {
        process.env.FAULTLINE_HALT_LEVER = `flt-halt-lever-${run}`;
        process.env.FAULTLINE_HALT_STACK_PREFIX = prefix;
        useFaultlineEnv();
        await createNetwork(net, run);
        otherPort = await freePort();
        const httpd = ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"];
        await runContainer({ name: web, run, network: net, aliases: ["web"], cmd: httpd, labels: { "chaos.opt-in": "true" } });
        await runContainer({ name: other, run, network: net, aliases: ["other"], publish: 8080, hostPort: otherPort, cmd: httpd, optIn: false });
    });

    after(async () => {
        await releaseHalt().catch(() => undefined);
        for (const name of stacks) await teardownRunStack(name);
        for (const r of await listReapers()) if (r.stack.startsWith(prefix)) await revertReaper(r);
        await cleanupRun(run);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("pulled mid-run: the fault is reverted, the run ends aborted, up/run/plan refuse until --release", async () => {
        const stack = stackName("a");
        const out = path.join(tmp, "out-halted");
        const c = cli(["run", stack, "--experiment", file("long", experiment("5m")), "--out", out]);
        await c.waitFor(/\] fault /);
        assert.equal(await endpointOf(web, net), undefined, "precondition: web is cut off during the fault window");

        const h = cli(["halt", "--reason", "incident 42", "--json"]);
        assert.equal(await h.exit, 0, h.stderr() + h.stdout());
        const report = JSON.parse(h.stdout()) as { engagedNow: boolean; docker: Array<{ stack: string; fault: string; outcome: string }>; stacks: Array<{ stack: string; action: string }>; left: string[] };
        assert.equal(report.engagedNow, true);
        // The run watches the lever too (every 500 ms) and rolls back through the same revert path: whichever gets to
        // the armed record first reverts it, and the other finds it done. Either way halt names the fault, and web is
        // reattached when halt returns (below).
        assert.deepEqual(report.docker.map((d) => [d.stack, d.fault]), [[stack, "web-partition"]]);
        assert.match(report.docker[0]!.outcome, /^(reverted|already-reverted)$/);
        assert.deepEqual(report.left, []);
        assert.notEqual(await endpointOf(web, net), undefined, "web is reattached when halt returns");

        assert.equal(await c.exit, 2, c.stderr() + c.stdout());
        const e = evidenceOf(out);
        assert.deepEqual([e.verdict, e.status, e.rollback.result], ["aborted", "interrupted", "succeeded"]);
        assert.match(e.reason, /^interrupted \(halt pulled by .+ at \d{4}-\d\d-\d\dT.+Z\) during fault; faults rolled back$/);
        assert.deepEqual(await liveResources(await openStack(stack)), []);

        const status = cli(["halt", "--status"]);
        assert.equal(await status.exit, 0);
        assert.match(status.stdout(), /^halted: pulled by \S+@\S+ at \d{4}-.+Z \(incident 42\); release with `faultline halt --release`$/m);

        const lever = (await readHalt())!;
        const refusal = `error: faultline is halted on this Docker engine: pulled by ${lever.by} at ${lever.at} (incident 42); nothing was injected. Release it with \`faultline halt --release\` when chaos may resume\n`;
        const again = cli(["run", stack, "--experiment", file("short", experiment("2s")), "--out", path.join(tmp, "out-refused")]);
        assert.equal(await again.exit, 2);
        assert.equal(again.stderr(), refusal);
        const plan = cli(["plan", stack, "--experiment", file("short", experiment("2s"))]);
        assert.equal(await plan.exit, 2);
        assert.equal(plan.stderr(), refusal);

        // A user's own `pulumi up`, without the runner: the provider's create refuses, nothing goes in.
        const own = summarizedByEvents(await openStack(stackName("own"), { experiment: experiment("2s") }));
        await assert.rejects(own.up(), /faultline is halted on this Docker engine: pulled by .+ \(incident 42\); nothing was injected/);
        assert.notEqual(await endpointOf(web, net), undefined, "the refused up left web attached");
        await own.destroy();

        const rel = cli(["halt", "--release"]);
        assert.equal(await rel.exit, 0);
        assert.match(rel.stdout(), /^released the halt pulled by .+ \(?.*; runs and injections are allowed again$/m);
        const after = cli(["run", stack, "--experiment", file("short", experiment("2s")), "--out", path.join(tmp, "out-after")]);
        assert.equal(await after.exit, 0, after.stderr() + after.stdout());
        assert.equal(evidenceOf(path.join(tmp, "out-after")).verdict, "held");
    });
});
