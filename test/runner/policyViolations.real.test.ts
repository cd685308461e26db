// Real-engine test: the policy pack refuses a target that has not opted in, and `plan` and `run` say so in the
// policy's own words (policy, level, the resource's name, message and fix), on stdout and in the evidence.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { useFaultlineEnv } from "../../runner/env";
import { EvidenceSchema } from "../../runner/evidence/schema";
import { liveResources, openStack } from "../../runner/pulumi";
import { cli } from "../helpers/cli";
import { freePort } from "../helpers/demo";
import { cleanupRun, createNetwork, runContainer, runId } from "../helpers/docker";
import { teardownRunStack } from "../helpers/faults";

describe("policy violations in the runner's words (real Pulumi engine and policy pack)", { timeout: 1_200_000 }, () => {
    const run = runId();
    const net = `flt-pol-${run}`;
    const target = `flt-pol-target-${run}`;
    const stack = `test-pol-${run}`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-pol-test-"));
    let port = 0;
    let file = "";

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        port = await freePort();
        const httpd = ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"];
        // Not opted in: the pack's opt-in-targets policy refuses it.
        await runContainer({ name: target, run, network: net, publish: 8080, hostPort: port, cmd: httpd, optIn: false });
        file = path.join(tmp, "exp.json");
        fs.writeFileSync(
            file,
            JSON.stringify({
                name: "refused",
                hypothesis: { text: "it answers", probes: [{ name: "http", kind: "http", url: `http://127.0.0.1:${port}/` }], slo: { latency: { p95: "5s" } } },
                environment: { name: "test" },
                stopConditions: [{ metric: "probe", probe: "http", samples: 1000 }],
                timing: { warmup: "1s", duration: "2s", cooldown: "0s", ttl: "10m", sampleInterval: "100ms" },
                faults: [{ name: "cut-target", kind: "docker:network-disconnect", container: target, network: net }],
            }),
        );
    });

    after(async () => {
        await teardownRunStack(stack);
        await cleanupRun(run);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    const line = (name: string) =>
        new RegExp(`\\[mandatory\\] opt-in-targets on ${name} \\(DockerNetworkDisconnect\\): fault "cut-target" .+\\. Fix: Have the owners of the target opt it in: .+`);

    it("plan prints each violation with policy, level, resource name, message and fix; exit 2", async () => {
        const c = cli(["plan", stack, "--experiment", file]);
        assert.equal(await c.exit, 2, c.stderr());
        assert.match(c.stdout(), /^Policy check: FAILED, 1 mandatory violation\(s\)$/m);
        assert.match(c.stdout(), new RegExp(`^  ${line("cut-target-fault").source}$`, "m"));
    });

    it("run aborts before injecting, prints the violation and puts it in the evidence", async () => {
        const out = path.join(tmp, "out");
        const c = cli(["run", stack, "--experiment", file, "--out", out]);
        assert.equal(await c.exit, 2, c.stderr());
        assert.match(c.stdout(), /^ABORTED \(not evaluated\): policy check failed, nothing was injected: \[mandatory\] opt-in-targets on /m);
        assert.match(c.stdout(), new RegExp(`^  policy: ${line("cut-target-fault").source}$`, "m"));
        const e = EvidenceSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));
        assert.equal(e.outcome, "aborted");
        assert.deepEqual(
            e.policy_violations.map((v) => [v.policy, v.level, v.pack, v.resource_name, v.resource_type, v.fix.length > 0]),
            [["opt-in-targets", "mandatory", "faultline-guardrails", "cut-target-fault", "DockerNetworkDisconnect", true]],
        );
        assert.match(e.policy_violations[0]!.message, /^fault "cut-target" /);
        assert.match(fs.readFileSync(path.join(out, "report.md"), "utf8"), /## Policy violations/);
        assert.deepEqual(await liveResources(await openStack(stack)), []);
    });
});
