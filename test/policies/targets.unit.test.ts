import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { optInTargets } from "../../policies/targets";
import { resourceViolations, variant } from "../helpers/policy";
import { dockerFault, fisTemplate, networkChaos, networkPolicy, nodeStress } from "./fixtures";

describe("policy opt-in-targets", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(optInTargets.enforcementLevel, "mandatory");
        assert.equal(optInTargets.severity, "critical");
        assert.match(optInTargets.remediationSteps ?? "", /chaos\.opt-in=true/);
    });

    it("passes opted-in targets of every kind", async () => {
        for (const r of [dockerFault(), networkChaos(), networkPolicy(), nodeStress(), fisTemplate()]) {
            assert.deepEqual(await resourceViolations(optInTargets, r), [], r.type);
        }
    });

    it("flags a Docker target without the opt-in label", async () => {
        const r = variant(dockerFault(), (f) => (f.props.targets[0].labels = { app: "web" }));
        assert.deepEqual(await resourceViolations(optInTargets, r), [
            'fault "web-partition" targets "web", which is not opted in; label it chaos.opt-in=true to allow faults on it',
        ]);
    });

    it("uses the configured label", async () => {
        const r = variant(dockerFault(), (f) => (f.props.targets[0].labels = { "acme/chaos": "yes" }));
        assert.deepEqual(await resourceViolations(optInTargets, r, { config: { optInLabel: "acme/chaos", optInValue: "yes" } }), []);
    });

    it("flags a fault whose targets were not resolved", async () => {
        const r = variant(dockerFault(), (f) => (f.props.targets = []));
        assert.deepEqual(await resourceViolations(optInTargets, r), [
            'fault "web-partition" has no resolved targets, so its opt-in cannot be checked; make sure the target exists and is running before preview',
        ]);
    });

    it("flags a container of a pod in a system namespace, even when labelled", async () => {
        const r = variant(dockerFault(), (f) => (f.props.targets[0].labels["io.kubernetes.pod.namespace"] = "kube-system"));
        assert.deepEqual(await resourceViolations(optInTargets, r), [
            'fault "web-partition" (container "web") targets namespace "kube-system", a system namespace that is never a target',
        ]);
    });

    it("flags Chaos Mesh selectors without the label or in a system namespace", async () => {
        const unlabelled = variant(networkChaos(), (c) => delete c.props.spec.selector.labelSelectors["chaos.opt-in"]);
        assert.deepEqual(await resourceViolations(optInTargets, unlabelled), [
            'NetworkChaos "orders-partition" selects pods without the label chaos.opt-in=true; add it to spec.selector.labelSelectors',
        ]);
        const system = variant(networkChaos(), (c) => (c.props.spec.selector.namespaces = ["kube-system"]));
        assert.deepEqual(await resourceViolations(optInTargets, system), [
            'NetworkChaos "orders-partition" targets namespace "kube-system", a system namespace that is never a target',
        ]);
        const peer = variant(networkChaos(), (c) => (c.props.spec.target = { mode: "all", selector: { namespaces: ["default"], labelSelectors: { app: "db" } } }));
        assert.deepEqual(await resourceViolations(optInTargets, peer), [
            'NetworkChaos "orders-partition" selects pods without the label chaos.opt-in=true; add it to spec.target.selector.labelSelectors',
        ]);
    });

    it("flags a NetworkPolicy without the label or in a system namespace", async () => {
        const unlabelled = variant(networkPolicy(), (p) => (p.props.spec.podSelector.matchLabels = { app: "orders" }));
        assert.deepEqual(await resourceViolations(optInTargets, unlabelled), [
            'NetworkPolicy "orders-deny" selects pods without the label chaos.opt-in=true; add it to spec.podSelector.matchLabels',
        ]);
        const system = variant(networkPolicy(), (p) => (p.props.metadata.namespace = "kube-system"));
        assert.deepEqual(await resourceViolations(optInTargets, system), [
            'NetworkPolicy "orders-deny" targets namespace "kube-system", a system namespace that is never a target',
        ]);
    });

    it("flags a node-stress DaemonSet on nodes that did not opt in", async () => {
        const r = variant(nodeStress(), (d) => (d.props.spec.template.spec.nodeSelector = { pool: "batch" }));
        assert.deepEqual(await resourceViolations(optInTargets, r), [
            'DaemonSet "cpu-stress" runs on nodes without the label chaos.opt-in=true; add it to spec.template.spec.nodeSelector',
        ]);
    });

    it("flags an FIS target without the opt-in tag, and passes one with explicit ARNs", async () => {
        const r = variant(fisTemplate(), (t) => (t.props.targets[0].resourceTags = [{ key: "app", value: "web" }]));
        assert.deepEqual(await resourceViolations(optInTargets, r), [
            'FIS target "web" of template "stop-web" selects resources without the tag chaos.opt-in=true; add it to resourceTags or list resourceArns',
        ]);
        const arns = variant(r, (t) => (t.props.targets[0].resourceArns = ["arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"]));
        assert.deepEqual(await resourceViolations(optInTargets, arns), []);
    });
});
