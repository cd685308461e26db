// Real-engine test of the runner's smaller guards: a run refuses a stack that already holds faults; a worker whose
// supervisor was SIGKILLed rolls back at once and writes its evidence; plan output never shows a credential.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { EvidenceSchema } from "../../runner/evidence/schema";
import { useFaultlineEnv } from "../../runner/env";
import { LOCK_DIR } from "../../runner/lock";
import { planExperiment, renderPlan } from "../../runner/plan";
import { liveResources, openStack } from "../../runner/pulumi";
import { cli, cliCases } from "../helpers/cli";
import { freePort } from "../helpers/demo";
import { cleanupRun, createNetwork, endpointOf, runContainer, runId, SUITE_TIMEOUT_MS } from "../helpers/docker";
import { waitFor } from "../helpers/wait";

describe("runner guards (real Docker, real Pulumi engine)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const net = `flt-rg-${run}`;
    const web = `flt-rg-web-${run}`;
    const { setup, cleanup } = cliCases("rg", run);
    let port = 0;

    const experiment = (name: string, extra: Record<string, unknown> = {}) => ({
        name,
        hypothesis: { text: "the probe is not judged here", probes: [{ name: "up", kind: "http", url: `http://127.0.0.1:${port}/`, timeout: "1s" }], slo: { latency: { p95: "5s" }, maxErrorRate: 1 } },
        stopConditions: [{ metric: "probe", probe: "up", samples: 100000 }],
        timing: { warmup: "1s", duration: "5m", cooldown: "0s", ttl: "10m", sampleInterval: "200ms" },
        faults: [{ name: "cut", kind: "docker:network-disconnect", container: web, network: net }],
        ...extra,
    });

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        port = await freePort();
        const httpd = ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"];
        await runContainer({ name: web, run, network: net, publish: 8080, hostPort: port, cmd: httpd });
    });

    after(async () => {
        await cleanup();
        await cleanupRun(run);
    });

    it("run refuses a stack that already holds faults from another `up`, naming them and how to clear them; exit 2", async () => {
        const { stack: name, file } = setup("held", experiment("held"));
        const stack = await openStack(name, { experiment: experiment("held") });
        await stack.up();
        assert.equal(await endpointOf(web, net), undefined, "the other up's fault is in");
        const c = cli(["run", name, "--experiment", file]);
        assert.equal(await c.exit, 2, c.stderr());
        assert.match(
            c.stderr(),
            new RegExp(
                `error: stack "${name}" already holds 3 resource\\(s\\) from another \`pulumi up\` or an unfinished run: held \\(Experiment\\), cut \\(NetworkDisconnect\\), cut-fault \\(DockerNetworkDisconnect\\); ` +
                    `a run would judge their effect together with its own\\. Clear them with \`faultline rollback ${name}\` \\(or \`faultline recover --stack ${name}\` after a crash\\), then run again`,
            ),
        );
        const rb = cli(["rollback", name]);
        assert.equal(await rb.exit, 0, rb.stderr());
        assert.notEqual(await endpointOf(web, net), undefined, "rollback reattached web");
    });

    it("SIGKILL of the supervisor mid-window: the worker rolls back at once and writes an aborted report", async () => {
        const { stack, file, out } = setup("orphan", experiment("orphan"));
        const c = cli(["run", stack, "--experiment", file, "--out", out]);
        await c.waitFor(/\] fault /);
        assert.equal(await endpointOf(web, net), undefined, "web is cut off during the window");
        const worker = (JSON.parse(fs.readFileSync(path.join(LOCK_DIR, `${stack}.lock`), "utf8")) as { pid: number }).pid;
        const killedAt = Date.now();
        c.child.kill("SIGKILL"); // the supervisor only: its worker lives on in its own process group
        await c.exit;
        await waitFor("the worker to revert the fault", async () => (await endpointOf(web, net)) !== undefined, 60_000, 100);
        const revertedS = (Date.now() - killedAt) / 1000;
        await waitFor("the worker to finish", async () => !isAlive(worker), 120_000);
        console.log(`supervisor SIGKILLed: fault reverted ${revertedS.toFixed(1)} s later (pulumi destroy included)`);
        assert.match(c.stderr(), /supervisor \(pid \d+\) is gone: its IPC channel closed: stopping the experiment and rolling back/);
        const e = EvidenceSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));
        assert.equal(e.status, "interrupted");
        assert.equal(e.verdict, "aborted");
        assert.equal(e.exit_code, 2);
        assert.match(e.reason, /^interrupted \(supervisor \(pid \d+\) is gone: its IPC channel closed\) during fault; faults rolled back$/);
        assert.equal(e.rollback.result, "succeeded");
        assert.deepEqual(await liveResources(await openStack(stack)), []);
        assert.equal(fs.existsSync(path.join(LOCK_DIR, `${stack}.lock`)), false, "the worker released the lock");
    });

    it("plan redacts a load URL's token and credential headers, from an experiment stored as a Pulumi secret", async () => {
        const { stack: name } = setup("plan", experiment("plan"));
        const stack = await openStack(name);
        const load = { url: `http://127.0.0.1:${port}/?token=s3cr3t-t0ken&page=1`, rate: 5, headers: { Authorization: "Bearer abc.def" } };
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment("plan", { load })), secret: true });
        const plan = await planExperiment({ stack: name });
        const text = renderPlan(plan) + JSON.stringify(plan);
        assert.ok(!text.includes("s3cr3t-t0ken") && !text.includes("abc.def"), text);
        assert.ok(plan.verificationSteps[1]!.includes(`load 5 req/s → http://127.0.0.1:${port}/?token=***&page=1`), plan.verificationSteps[1]);
    });
});

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}
