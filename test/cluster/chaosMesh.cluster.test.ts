// Kubernetes tier: Chaos Mesh itself, built from its Go module (scripts/setup-chaos-mesh.sh), runs a faultline
// StressChaos for real. `pulumi up` declares the StressChaos; Chaos Mesh's controller-manager and chaos-daemon start
// stress-ng in the selected pod's PID namespace and cgroup, whose CPU use rises; `pulumi destroy` deletes it, Chaos
// Mesh stops stress-ng, and the pod is idle again. Skipped until Chaos Mesh is built (about 15 minutes, cached).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT, useFaultlineEnv } from "../../runner/env";
import { waitFor } from "../helpers/wait";
import { clusterStack, cores, deployApp, dropStack, kjson, kubectl, KUBECONFIG, runId, whyNoCluster } from "./helpers";

const CACHE = process.env.FAULTLINE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "faultline");
const DAEMON = path.join(CACHE, "chaos-mesh-47411975a8cb", "bin", "chaos-daemon");

/** Runs scripts/setup-chaos-mesh.sh up|down on the local cluster; throws with its output when it fails. */
function chaosMesh(what: "up" | "down"): void {
    const r = spawnSync("bash", ["scripts/setup-chaos-mesh.sh", what], { cwd: PROJECT_ROOT, env: { ...process.env, KUBECONFIG }, encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0) throw new Error(`setup-chaos-mesh.sh ${what}: ${r.stdout}${r.stderr}`);
}

const skip = whyNoCluster() ?? (existsSync(DAEMON) ? undefined : "Chaos Mesh is not built: run bash scripts/setup-chaos-mesh.sh build (about 15 minutes)");

describe("Chaos Mesh runs a faultline StressChaos for real", { skip, timeout: 900_000 }, () => {
    const run = runId();
    const ns = `flt-test-${run}`;
    let stack: Stack;
    let podCgroup = "";

    before(async () => {
        useFaultlineEnv();
        chaosMesh("up");
        await deployApp(ns, "web", 1);
        // A BestEffort pod (no requests): its cgroup is kubepods/besteffort/pod<uid>.
        podCgroup = `besteffort/pod${kjson(["get", "pods", "-n", ns, "-l", "app=web"]).items[0].metadata.uid}`;
        stack = await clusterStack(`test-k8s-chaosmesh-${run}`, {
            name: "k8s-chaos-mesh-test",
            kubernetes: { reaperNamespace: ns },
            faults: [{ name: "web-cpu", kind: "kubernetes:stress-chaos", selector: { namespace: ns, labels: { app: "web" } }, cpu: { workers: 1, load: 100 }, ttl: "10m" }],
        });
    });

    after(async () => {
        await dropStack(stack);
        kubectl(["delete", "namespace", ns, "--wait=false"]);
        chaosMesh("down");
    });

    it("up: Chaos Mesh injects stress-ng into the pod, whose CPU use rises", async () => {
        const idle = await cores(podCgroup);
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        await waitFor("Chaos Mesh to report AllInjected", async () => {
            const conditions = kjson(["get", "stresschaos", "-n", ns, "faultline-web-cpu"]).status?.conditions ?? [];
            return conditions.some((c: any) => c.type === "AllInjected" && c.status === "True");
        }, 120_000, 500);
        const stressed = await cores(podCgroup);
        console.log(`the web pod: ${idle.toFixed(2)} cores idle, ${stressed.toFixed(2)} under the StressChaos`);
        assert.ok(idle < 0.05, `the pod was not idle before: ${idle.toFixed(2)} cores`);
        assert.ok(stressed > 0.2, `the StressChaos had no effect: ${stressed.toFixed(2)} cores`);
    });

    it("destroy: the StressChaos goes, Chaos Mesh stops stress-ng, the pod is idle again", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        assert.equal(kjson(["get", "stresschaos", "-n", ns]).items.length, 0);
        let now = 1;
        await waitFor("the pod idle again", async () => (now = await cores(podCgroup, 2000)) < 0.05, 60_000, 0);
        console.log(`the web pod after destroy: ${now.toFixed(2)} cores`);
        assert.equal(kjson(["get", "configmaps", "-n", ns, "-l", "dev.faultline.role=lease"]).items.length, 0);
    });
});
