// Kubernetes tier: the real Pulumi CLI and Kubernetes provider against the local cluster (npm run cluster:up).
// Throttled node: cordon + NoExecute taint evicts the pods and their replacements stay Pending; the stress DaemonSet
// runs stress-ng on the node and the pods' CPU use rises; destroy restores the node exactly, including a taint
// another field manager (kubectl taint) owns, which the fault's patch had to take over.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { waitFor } from "../helpers/pulumi";
import { clusterStack, deployApp, dropStack, kjson, kok, kubectl, NODE, nodeState, podPhases, runId, whyNoCluster } from "./helpers";

const OTHER_TAINT = { key: "example.com/maintenance", value: "soon", effect: "PreferNoSchedule" };

/** CPU seconds used by every pod on the node (cgroup v1 cpuacct of the kubelet's pods cgroup). */
function podsCpuSeconds(): number {
    return Number(readFileSync("/sys/fs/cgroup/cpuacct/kubepods/cpuacct.usage", "utf8")) / 1e9;
}

/** Cores the node's pods use, averaged over `ms`. */
async function podsCores(ms = 3000): Promise<number> {
    const a = podsCpuSeconds();
    await new Promise((r) => setTimeout(r, ms));
    return (podsCpuSeconds() - a) / (ms / 1000);
}

describe("NodeThrottle on a real cluster", { skip: whyNoCluster(), timeout: 600_000 }, () => {
    const run = runId();
    const ns = `flt-test-${run}`;
    let stack: Stack;
    let before_: ReturnType<typeof nodeState>;
    let idleCores = 0;

    before(async () => {
        useFaultlineEnv();
        await deployApp(ns, "web", 2);
        // Another manager's taint: the fault must keep it while in, and destroy must leave it exactly as it was.
        kok(["taint", "node", NODE, `${OTHER_TAINT.key}=${OTHER_TAINT.value}:${OTHER_TAINT.effect}`, "--overwrite"]);
        before_ = nodeState();
        idleCores = await podsCores();
        stack = await clusterStack(`test-k8s-throttle-${run}`, {
            name: "k8s-throttle-test",
            kubernetes: { reaperNamespace: ns },
            faults: [
                {
                    name: "hot-node",
                    kind: "kubernetes:node-throttle",
                    nodes: [NODE],
                    taint: "NoExecute",
                    allowEviction: true,
                    stress: { namespace: ns, cpu: { workers: 1, load: 100 }, limits: { cpu: "500m", memory: "64Mi" } },
                    ttl: "10m",
                },
            ],
        });
    });

    after(async () => {
        await dropStack(stack);
        kubectl(["taint", "node", NODE, `${OTHER_TAINT.key}-`]);
        kubectl(["delete", "namespace", ns, "--wait=false"]);
    });

    it("up cordons and taints the node, evicts the pods (replacements Pending) and keeps the other taint", async () => {
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        const now = nodeState();
        assert.equal(now.unschedulable, true);
        // Ours, the other manager's, and the one the node lifecycle controller adds to every cordoned node.
        assert.deepEqual(
            (now.taints as any[]).map((t) => `${t.key}=${t.value ?? ""}:${t.effect}`).sort(),
            ["dev.faultline.throttled=hot-node:NoExecute", `${OTHER_TAINT.key}=${OTHER_TAINT.value}:${OTHER_TAINT.effect}`, "node.kubernetes.io/unschedulable=:NoSchedule"].sort(),
        );
        assert.equal(now.labels["dev.faultline.throttle"], "hot-node");
        await waitFor("the web pods evicted and their replacements Pending", async () => JSON.stringify(podPhases(ns, "web")) === '["Pending","Pending"]', 60_000);
        // The lease was written before the node changed: it records the node as it was.
        const lease = kjson(["get", "configmap", "-n", ns, "faultline-hot-node-lease"]);
        const record = JSON.parse(lease.data["record.json"]);
        assert.deepEqual(record.nodes[0].before, { unschedulable: false, taints: [OTHER_TAINT] });
        assert.equal(lease.metadata.labels["dev.faultline.stack"], `test-k8s-throttle-${run}`);
    });

    it("the stress DaemonSet runs stress-ng on the node and the pods' CPU use rises", async () => {
        await waitFor("a Running stress pod", async () => {
            const pods = kjson(["get", "pods", "-n", ns, "-l", "dev.faultline.role=node-stress"]).items;
            return pods.length === 1 && pods[0].status.phase === "Running";
        }, 60_000);
        await waitFor("stress-ng dispatching its worker", async () => /dispatching hogs: 1 cpu/.test(kubectl(["logs", "-n", ns, "daemonset/faultline-hot-node-stress"]).stdout), 30_000);
        const busy = await podsCores();
        console.log(`pods' CPU: ${idleCores.toFixed(2)} cores idle, ${busy.toFixed(2)} cores under stress (limit 0.5)`);
        assert.ok(busy - idleCores > 0.3, `pods' CPU rose by ${(busy - idleCores).toFixed(2)} cores, expected > 0.3 of the 0.5 limit`);
    });

    it("destroy restores the node exactly, removes the DaemonSet and the lease, and the pods run again", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        // The node lifecycle controller drops its own node.kubernetes.io/unschedulable taint a moment after uncordon.
        await waitFor("the node exactly as before", async () => JSON.stringify(nodeState()) === JSON.stringify(before_), 15_000).catch(() => undefined);
        assert.deepEqual(nodeState(), before_);
        assert.equal(kubectl(["get", "daemonset", "-n", ns, "faultline-hot-node-stress"]).status, 1);
        assert.equal(kjson(["get", "configmaps", "-n", ns, "-l", "dev.faultline.role=lease"]).items.length, 0);
        assert.equal(kjson(["get", "deployments", "-n", ns, "-l", "dev.faultline.role=reaper"]).items.length, 0);
        await waitFor("both web pods Running again", async () => JSON.stringify(podPhases(ns, "web")) === '["Running","Running"]', 60_000);
    });
});
