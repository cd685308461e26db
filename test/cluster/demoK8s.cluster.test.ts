// Real-cluster acceptance test of `npm run demo:k8s` (scripts/demo-k8s.sh): the demo system deployed into the local
// cluster, a held and a refuted experiment with Kubernetes faults through the real Pulumi engine and provider, and
// everything rolled back and removed. Asserts the verdicts from the evidence each run wrote, and the cluster after.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../runner/env";
import { EvidenceSchema } from "../../runner/evidence/schema";
import { kubectl, KUBECONFIG, nodeState, whyNoCluster } from "./helpers";

const RUNS = path.join(PROJECT_ROOT, ".faultline", "runs");

function evidence(stack: string) {
    return EvidenceSchema.parse(JSON.parse(fs.readFileSync(path.join(RUNS, stack, "evidence.json"), "utf8")));
}

/** Runs the demo to its end (bounded: 20 min) and returns its exit code and output. */
function demo(): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
        const child = spawn("bash", ["scripts/demo-k8s.sh"], { cwd: PROJECT_ROOT, env: { ...process.env, KUBECONFIG }, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        const timer = setTimeout(() => child.kill("SIGINT"), 1_200_000);
        child.on("exit", (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? -1, output });
        });
    });
}

// About 10 minutes on 2 shared cores (load 20-40): two experiments, each a full `faultline run` with its policy pack,
// preview, up, observation, destroy and recovery. The pod kills happen inside `up`; the runner counts each fault
// from its lease's arming, so both the stale catalog and the worker's gap are sampled.
describe("npm run demo:k8s (real cluster, real Pulumi engine)", { skip: whyNoCluster(), timeout: 1_500_000 }, () => {
    it("gives one held and one refuted verdict, rolls every fault back and removes the demo", async () => {
        for (const stack of ["demo-k8s-proxy-kill", "demo-k8s-worker-kill"]) fs.rmSync(path.join(RUNS, stack), { recursive: true, force: true });
        const before = nodeState();
        const { code, output } = await demo();
        assert.equal(code, 0, output.slice(-4000));
        assert.match(output, /✓ no fault left: node schedulable and untainted, no faultline object/);

        const held = evidence("demo-k8s-proxy-kill");
        assert.deepEqual([held.verdict, held.exit_code], ["held", 0], held.reason);
        assert.deepEqual(
            held.fail_closed_behavior.expectations.map((e) => [e.behaviour, e.passed]),
            [["the catalog serves its last good copy while the proxy is down", true]],
        );

        const refuted = evidence("demo-k8s-worker-kill");
        assert.deepEqual([refuted.verdict, refuted.exit_code], ["refuted", 1], refuted.reason);
        assert.deepEqual(
            refuted.fail_closed_behavior.expectations.map((e) => [e.behaviour, e.passed]),
            [
                ["a worker stays ready while its pod is replaced", false],
                ["no accepted order is lost (processed, dead-lettered or still queued)", true],
            ],
        );
        assert.match(refuted.reason, /^expected behaviour of worker-kill not seen: "a worker stays ready while its pod is replaced": failed \d+ of \d+ samples while the fault was in; first: 0 ready of 1 desired \(at least 1 required\)$/);
        for (const e of [held, refuted]) assert.equal(e.recovery_validation.recovered, true, `${e.stack}: not recovered`);

        // Rolled back and removed: the node exactly as before, the demo's namespace gone, no port-forward left.
        assert.deepEqual(nodeState(), before);
        assert.equal(kubectl(["get", "namespace", "faultline-demo"]).status, 1);
        assert.equal(fs.existsSync(path.join(PROJECT_ROOT, ".faultline", "demo-k8s", "port-forward.pid")), false);
    });
});
