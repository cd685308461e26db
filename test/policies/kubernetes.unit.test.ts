import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chaosMeshDuration, k8sPartitionNamespaces, nodeStressLimits } from "../../policies/kubernetes";
import { resourceViolations, variant } from "../helpers/policy";
import { networkChaos, networkPolicy, nodeStress } from "./fixtures";

describe("policy k8s-partition-namespaces", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(k8sPartitionNamespaces.enforcementLevel, "mandatory");
        assert.equal(k8sPartitionNamespaces.severity, "high");
        assert.match(k8sPartitionNamespaces.remediationSteps ?? "", /allowedNamespaces/);
    });

    it("passes partitions in an allowed namespace", async () => {
        assert.deepEqual(await resourceViolations(k8sPartitionNamespaces, networkPolicy()), []);
        assert.deepEqual(await resourceViolations(k8sPartitionNamespaces, networkChaos()), []);
    });

    it("flags a NetworkPolicy partition outside the allowed namespaces, and passes it once allowed", async () => {
        const r = variant(networkPolicy(), (p) => (p.props.metadata.namespace = "payments"));
        assert.deepEqual(await resourceViolations(k8sPartitionNamespaces, r), [
            'NetworkPolicy "orders-deny" partitions namespace "payments", which is not allowed (allowed: default); move it or add the namespace to allowedNamespaces',
        ]);
        assert.deepEqual(await resourceViolations(k8sPartitionNamespaces, r, { config: { allowedNamespaces: ["payments"] } }), []);
    });

    it("flags a NetworkChaos partition whose peer side is outside the allowed namespaces", async () => {
        const r = variant(networkChaos(), (c) => (c.props.spec.target = { mode: "one", selector: { namespaces: ["billing"] } }));
        assert.deepEqual(await resourceViolations(k8sPartitionNamespaces, r), [
            'NetworkChaos "orders-partition" partitions namespace "billing", which is not allowed (allowed: default); move it or add the namespace to allowedNamespaces',
        ]);
    });

    it("ignores NetworkChaos that is not a partition and NetworkPolicies faultline does not manage", async () => {
        const delay = variant(networkChaos(), (c) => Object.assign(c.props.spec, { action: "delay", selector: { namespaces: ["billing"] } }));
        assert.deepEqual(await resourceViolations(k8sPartitionNamespaces, delay), []);
        const unmanaged = variant(networkPolicy(), (p) => {
            p.props.metadata.namespace = "payments";
            delete p.props.metadata.labels["dev.faultline.managed"];
        });
        assert.deepEqual(await resourceViolations(k8sPartitionNamespaces, unmanaged), []);
    });
});

describe("policy chaos-mesh-duration", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(chaosMeshDuration.enforcementLevel, "mandatory");
        assert.equal(chaosMeshDuration.severity, "high");
        assert.match(chaosMeshDuration.remediationSteps ?? "", /spec\.duration/);
    });

    it("passes a Chaos Mesh resource with a duration", async () => {
        assert.deepEqual(await resourceViolations(chaosMeshDuration, networkChaos()), []);
    });

    it("flags a missing duration", async () => {
        const r = variant(networkChaos(), (c) => delete c.props.spec.duration);
        assert.deepEqual(await resourceViolations(chaosMeshDuration, r), [
            'NetworkChaos "orders-partition" has no spec.duration, so it stays in until deleted; set spec.duration (e.g. "5m")',
        ]);
    });

    it("flags a duration that is not one", async () => {
        const r = variant(networkChaos(), (c) => {
            c.type = "kubernetes:chaos-mesh.org/v1alpha1:StressChaos";
            c.props.spec.duration = "forever";
        });
        assert.deepEqual(await resourceViolations(chaosMeshDuration, r), [
            'StressChaos "orders-partition" has spec.duration "forever", which is not a duration; write it like "30s", "5m" or "1h"',
        ]);
    });
});

describe("policy node-stress-limits", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(nodeStressLimits.enforcementLevel, "mandatory");
        assert.equal(nodeStressLimits.severity, "high");
        assert.match(nodeStressLimits.remediationSteps ?? "", /resources\.limits/);
    });

    it("passes a DaemonSet with limits and a node selector", async () => {
        assert.deepEqual(await resourceViolations(nodeStressLimits, nodeStress()), []);
    });

    it("flags a container without a memory limit", async () => {
        const r = variant(nodeStress(), (d) => delete d.props.spec.template.spec.containers[0].resources.limits.memory);
        assert.deepEqual(await resourceViolations(nodeStressLimits, r), [
            'DaemonSet "cpu-stress" container "stress" has no resources.limits.memory; set cpu and memory limits so the stress cannot starve the node',
        ]);
    });

    it("flags a DaemonSet without a node selector", async () => {
        const r = variant(nodeStress(), (d) => delete d.props.spec.template.spec.nodeSelector);
        assert.deepEqual(await resourceViolations(nodeStressLimits, r), [
            'DaemonSet "cpu-stress" has no spec.template.spec.nodeSelector, so it runs on every node; select the nodes to stress',
        ]);
    });

    it("ignores DaemonSets that are not node-stress", async () => {
        const r = variant(nodeStress(), (d) => {
            d.props.metadata.labels = { app: "fluentd" };
            delete d.props.spec.template.spec.nodeSelector;
        });
        assert.deepEqual(await resourceViolations(nodeStressLimits, r), []);
    });
});
