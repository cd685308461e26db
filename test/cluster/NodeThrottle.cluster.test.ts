// Kubernetes tier: the real Pulumi CLI and Kubernetes provider against the local cluster (npm run cluster:up).
// Throttled node: cordon + NoExecute taint evicts the pods and their replacements stay Pending; the stress DaemonSet
// runs stress-ng on the node and the pods' CPU use rises; destroy restores the node exactly, including a taint
// another field manager (kubectl taint) owns, which the fault's patch had to take over.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { waitFor } from "../helpers/wait";
import { clusterStack, cores, deployApp, dropStack, kjson, kok, kubectl, NODE, nodeState, podPhases, runId, whyNoCluster } from "./helpers";

const OTHER_TAINT = { key: "example.com/maintenance", value: "soon", effect: "PreferNoSchedule" };

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
        idleCores = await cores("");
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
        let uid = "";
        await waitFor("a Running stress pod", async () => {
            const pods = kjson(["get", "pods", "-n", ns, "-l", "dev.faultline.role=node-stress"]).items;
            uid = pods[0]?.metadata.uid ?? "";
            return pods.length === 1 && pods[0].status.phase === "Running";
        }, 60_000);
        await waitFor("stress-ng dispatching its worker", async () => /dispatching hogs: 1 cpu/.test(kubectl(["logs", "-n", ns, "daemonset/faultline-hot-node-stress"]).stdout), 30_000);
        // The stress pod is Guaranteed (requests = limits): its cgroup is kubepods/pod<uid>.
        const [stress, all] = await Promise.all([cores(`pod${uid}`), cores("")]);
        console.log(`node's pods: ${idleCores.toFixed(2)} cores before, ${all.toFixed(2)} under stress, of which the stress pod ${stress.toFixed(2)} (limit 0.5)`);
        assert.ok(stress > 0.3 && stress < 0.6, `the stress pod used ${stress.toFixed(2)} cores; expected close to its 0.5 limit`);
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

    it("refuses a node its owners did not opt in, before anything changes", async () => {
        const optOut = await clusterStack(`test-k8s-throttle-optin-${run}`, {
            name: "k8s-throttle-optin-test",
            kubernetes: { reaperNamespace: ns },
            faults: [{ name: "not-mine", kind: "kubernetes:node-throttle", nodes: [NODE], ttl: "10m" }],
        });
        kok(["label", "node", NODE, "chaos.opt-in-"]);
        const unlabelled = nodeState();
        try {
            await assert.rejects(optOut.up(), /node "faultline-node" is not opted in to faults: it lacks the label chaos\.opt-in=true; add it \(kubectl label node faultline-node chaos\.opt-in=true\), or opt this experiment out with allowUnlabelledTargets: true/);
            assert.deepEqual(nodeState(), unlabelled, "the node was left untouched");
            assert.equal(kjson(["get", "configmaps", "-n", ns, "-l", "dev.faultline.role=lease"]).items.length, 0, "no lease armed");
        } finally {
            kok(["label", "node", NODE, "chaos.opt-in=true", "--overwrite"]);
            await dropStack(optOut);
        }
    });
});
