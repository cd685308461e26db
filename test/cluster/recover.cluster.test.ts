// Kubernetes tier: `faultline recover` reverts the Kubernetes faults a killed stack left in the cluster. An `up`
// killed after a fault's lease was armed and the fault went in, but before Pulumi wrote its state, leaves a stack
// that holds nothing and, in the cluster, a lease and its fault. This test leaves exactly that (the lease written by
// the same armLease `up` runs, the fault applied with kubectl): a throttled node whose lease is not yet due, and a
// NetworkPolicy whose lease is past its deadline with no in-cluster reaper to see it. `recover` must revert both
// through revertLease, report them, and leave the node exactly as before.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { kubeApi } from "../../components/kubernetes/kubeApi";
import { armLease, nodesBefore, type LeaseRecord } from "../../components/kubernetes/lease";
import { THROTTLE_LABEL, THROTTLE_TAINT_KEY } from "../../components/kubernetes/reaper/Reaper";
import { useFaultlineEnv } from "../../runner/env";
import { recover } from "../../runner/recover";
import { clusterStack, deployApp, dropStack, kjson, kok, kubectl, KUBECONFIG, NODE, nodeState, runId, whyNoCluster } from "./helpers";

describe("recover reverts the Kubernetes faults of a killed stack through their leases", { skip: whyNoCluster(), timeout: 600_000 }, () => {
    const run = runId();
    const ns = `flt-test-${run}`;
    const stackName = `test-k8s-recover-${run}`;
    const taint = { key: THROTTLE_TAINT_KEY, value: "hot-node", effect: "NoSchedule" };
    let stack: Stack;
    let nodeBefore: ReturnType<typeof nodeState>;

    before(async () => {
        useFaultlineEnv();
        process.env.KUBECONFIG = KUBECONFIG;
        await deployApp(ns, "web", 1);
        // The stack exists in the backend and holds nothing, as after a kill before the first state write.
        stack = await clusterStack(stackName, { name: "k8s-recover-test", kubernetes: { reaperNamespace: ns }, faults: [] });
        nodeBefore = nodeState();
        const api = kubeApi();
        const owner = (fault: string, kind: string) => ({ project: "faultline", stack: stackName, experiment: "k8s-recover-test", fault, kind });
        const records: LeaseRecord[] = [
            {
                owner: owner("hot-node", "kubernetes:node-throttle"),
                expiresAt: Date.now() + 600_000,
                objects: [],
                nodes: await nodesBefore(api, [{ node: NODE, taint, cordon: true, labels: [THROTTLE_LABEL], annotations: [] }]),
            },
            {
                owner: owner("web-isolated", "kubernetes:network-partition"),
                expiresAt: Date.now() - 60_000,
                objects: [{ apiVersion: "networking.k8s.io/v1", plural: "networkpolicies", namespace: ns, name: "faultline-web-isolated" }],
                nodes: [],
            },
        ];
        for (const r of records) await armLease(api, ns, r);
        kok(["cordon", NODE]);
        kok(["taint", "node", NODE, `${taint.key}=${taint.value}:${taint.effect}`]);
        kok(["label", "node", NODE, `${THROTTLE_LABEL}=hot-node`]);
        const policy = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "faultline-web-isolated", namespace: ns }, spec: { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress"] } };
        kok(["apply", "-f", "-"], JSON.stringify(policy));
    });

    after(async () => {
        // Whatever happened above: the node as it was, the stack and namespace gone.
        kubectl(["uncordon", NODE]);
        kubectl(["taint", "node", NODE, `${taint.key}-`]);
        kubectl(["label", "node", NODE, `${THROTTLE_LABEL}-`]);
        await dropStack(stack);
        kubectl(["delete", "namespace", ns, "--wait=false"]);
    });

    it("--dry-run lists both leases and changes nothing", async () => {
        const r = await recover({ stack: stackName, dryRun: true });
        assert.deepEqual(r.leases.map((l) => [l.lease, l.outcome, l.detail]).sort(), [
            [`${ns}/faultline-hot-node-lease`, "skipped", 'dry run: would revert kubernetes:node-throttle "hot-node"'],
            [`${ns}/faultline-web-isolated-lease`, "skipped", 'dry run: would revert kubernetes:network-partition "web-isolated" (past its deadline)'],
        ]);
        assert.equal(nodeState().unschedulable, true);
        assert.equal(kubectl(["get", "networkpolicy", "-n", ns, "faultline-web-isolated"]).status, 0);
    });

    it("reverts both, reports them like the Docker reapers' faults, and the node is exactly as before", async () => {
        const r = await recover({ stack: stackName });
        assert.deepEqual(r.leases.map((l) => [l.lease, l.outcome, l.detail]).sort(), [
            [`${ns}/faultline-hot-node-lease`, "reverted", `kubernetes:node-throttle "hot-node" of stack ${stackName}: reverted; lease released`],
            [`${ns}/faultline-web-isolated-lease`, "reverted", `kubernetes:network-partition "web-isolated" of stack ${stackName}, past its deadline: reverted; lease released`],
        ]);
        assert.deepEqual(r.left, []);
        // The node lifecycle controller drops its own unschedulable taint a moment after uncordon.
        for (let i = 0; i < 50 && JSON.stringify(nodeState()) !== JSON.stringify(nodeBefore); i++) await new Promise((res) => setTimeout(res, 200));
        assert.deepEqual(nodeState(), nodeBefore);
        assert.equal(kubectl(["get", "networkpolicy", "-n", ns, "faultline-web-isolated"]).status, 1);
        assert.equal(kjson(["get", "configmaps", "-n", ns, "-l", "dev.faultline.role=lease"]).items.length, 0);
    });

    it("a second recover finds nothing of them", async () => {
        const r = await recover({ stack: stackName });
        assert.deepEqual(r.leases, []);
        assert.deepEqual(r.left, []);
    });
});
