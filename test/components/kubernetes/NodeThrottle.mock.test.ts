// Pulumi-mock test: no engine, no cluster. Checks the exact NodePatches and stress DaemonSet of a throttled node.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installMocks, only, settle } from "../../helpers/pulumiMocks";
import { expectedLabels, maskExpiry, splitExpiry } from "../../helpers/k8sMocks";
import { matchSnapshot } from "../../helpers/snapshot";
import { resourceViolations } from "../../helpers/policy";
import { optInTargets } from "../../../policies/targets";

const seen = installMocks();
const { NodeThrottle } = require("../../../components/kubernetes") as typeof import("../../../components/kubernetes");

describe("NodeThrottle (mocks)", () => {
    it("cordons and taints each node through a NodePatch, and pins a limited stress DaemonSet to them", async () => {
        const before = Date.now();
        const t = new NodeThrottle("slow-nodes", {
            nodes: ["worker-1", "worker-2"],
            stress: { namespace: "chaos", cpu: { workers: 2, load: 90 }, memory: { workers: 1, size: "128M" }, limits: { cpu: "2", memory: "256Mi" } },
            ttl: "10m",
        });
        await settle(seen);
        for (const node of ["worker-1", "worker-2"]) {
            const { inputs } = only(seen, "kubernetes:core/v1:NodePatch", `slow-nodes-${node}`);
            assert.equal(inputs.metadata.name, node);
            assert.deepEqual(splitExpiry(inputs.metadata.labels, 600, before), {
                ...expectedLabels("slow-nodes", "kubernetes:node-throttle", "node-throttle"),
                "dev.faultline.throttle": "slow-nodes",
            });
            assert.deepEqual(inputs.spec, { unschedulable: true, taints: [{ key: "dev.faultline.throttled", value: "slow-nodes", effect: "NoSchedule" }] });
            assert.equal(inputs.metadata.annotations["pulumi.com/patchForce"], undefined, "never forced unless asked");
        }
        const ds = only(seen, "kubernetes:apps/v1:DaemonSet", "slow-nodes-stress").inputs;
        assert.equal(ds.metadata.name, "faultline-slow-nodes-stress");
        assert.equal(ds.metadata.namespace, "chaos");
        assert.equal(ds.metadata.labels["dev.faultline.role"], "node-stress");
        assert.equal(ds.metadata.labels["dev.faultline.managed"], "true");
        const pod = ds.spec.template.spec;
        // Only opted-in nodes: the pack's opt-in-targets passes the DaemonSet exactly as the component declares it.
        assert.deepEqual(pod.nodeSelector, { "chaos.opt-in": "true", "dev.faultline.throttle": "slow-nodes" });
        assert.deepEqual(await resourceViolations(optInTargets, { type: "kubernetes:apps/v1:DaemonSet", name: "slow-nodes-stress", props: ds }), []);
        assert.deepEqual(pod.tolerations, [{ key: "dev.faultline.throttled", operator: "Exists" }]);
        const c = pod.containers[0];
        assert.deepEqual(c.resources, { limits: { cpu: "2", memory: "256Mi" }, requests: { cpu: "2", memory: "256Mi" } });
        assert.equal(c.image, "ghcr.io/colinianking/stress-ng:latest");
        assert.match(c.command[2], /stress-ng --cpu 2 --cpu-load 90 --vm 1 --vm-bytes 128M --timeout "\$\{left\}s"/);
        assert.deepEqual(c.env, [{ name: "FAULTLINE_EXPIRES", value: ds.metadata.labels["dev.faultline.expires"] }]);
        assert.deepEqual(ds.spec.selector, { matchLabels: { "dev.faultline.fault": "slow-nodes", "dev.faultline.role": "node-stress" } });
        assert.equal(ds.spec.template.metadata.labels["dev.faultline.expires"], undefined, "the pod template does not change with the clock");
        assert.equal(t.description, "cordon, taint dev.faultline.throttled=slow-nodes:NoSchedule, stress (2 CPU worker(s), 128M memory; limits cpu 2, memory 256Mi) on node(s) worker-1, worker-2");
        // The lease goes in first and records the nodes' changes, so the reaper can undo exactly these.
        const lease = only(seen, "pulumi-nodejs:dynamic/faultline:KubernetesFaultLease", "slow-nodes-lease").inputs;
        assert.equal(lease.namespace, "chaos");
        assert.deepEqual(lease.objects, [{ apiVersion: "apps/v1", plural: "daemonsets", namespace: "chaos", name: "faultline-slow-nodes-stress" }]);
        assert.deepEqual(lease.nodes.map((n: any) => [n.node, n.cordon, n.taint]), [
            ["worker-1", true, { key: "dev.faultline.throttled", value: "slow-nodes", effect: "NoSchedule" }],
            ["worker-2", true, { key: "dev.faultline.throttled", value: "slow-nodes", effect: "NoSchedule" }],
        ]);
        matchSnapshot("kubernetes-node-throttle", seen.filter((r) => r.name.startsWith("slow-nodes-") && !r.type.endsWith("KubernetesFaultLease")).sort((a, b) => a.name.localeCompare(b.name)).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs })), maskExpiry);
    });

    it("taint only, forced: no cordon, no DaemonSet, the patchForce annotation", async () => {
        new NodeThrottle("taint-only", { nodes: ["worker-3"], cordon: false, taint: "PreferNoSchedule", force: true, ttl: "1m" });
        await settle(seen);
        const { inputs } = only(seen, "kubernetes:core/v1:NodePatch", "taint-only-worker-3");
        assert.deepEqual(inputs.spec, { taints: [{ key: "dev.faultline.throttled", value: "taint-only", effect: "PreferNoSchedule" }] });
        assert.equal(inputs.metadata.annotations["pulumi.com/patchForce"], "true");
        assert.equal(seen.filter((r) => r.name.startsWith("taint-only") && r.type.endsWith("DaemonSet")).length, 0);
    });

    it("with allowUnlabelledTargets the stress DaemonSet selects the fault's nodes whatever their labels, and the pack flags it", async () => {
        new NodeThrottle("any-node", {
            nodes: ["worker-4"],
            stress: { namespace: "chaos", cpu: { workers: 1 }, limits: { cpu: "1", memory: "64Mi" } },
            ttl: "1m",
            allowUnlabelledTargets: true,
        });
        await settle(seen);
        const ds = only(seen, "kubernetes:apps/v1:DaemonSet", "any-node-stress").inputs;
        assert.deepEqual(ds.spec.template.spec.nodeSelector, { "dev.faultline.throttle": "any-node" });
        assert.deepEqual(await resourceViolations(optInTargets, { type: "kubernetes:apps/v1:DaemonSet", name: "any-node-stress", props: ds }), [
            'DaemonSet "faultline-any-node-stress" runs on nodes without the label chaos.opt-in=true; add it to spec.template.spec.nodeSelector',
        ]);
    });

    it("refuses unsafe or empty throttles, by field", () => {
        assert.throws(() => new NodeThrottle("evict", { nodes: ["w"], taint: "NoExecute", ttl: "1m" }), /  - allowEviction: taint NoExecute evicts every running pod without a toleration; set allowEviction: true to confirm/);
        assert.throws(() => new NodeThrottle("noop", { nodes: ["w"], cordon: false, taint: false, ttl: "1m" }), /  - \(root\): nothing to do: set cordon, taint or stress/);
        assert.throws(
            () => new NodeThrottle("nolimits", { nodes: ["w"], stress: { namespace: "chaos", cpu: { workers: 1 } } as never, ttl: "1m" }),
            /  - stress\.limits: required: limits\.cpu and limits\.memory, e\.g\. \{ cpu: "1", memory: "512Mi" \}/,
        );
    });
});
