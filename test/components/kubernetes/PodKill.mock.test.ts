// Pulumi-mock test: no engine, no cluster. Checks the Job engine's least RBAC and the PodChaos engine.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installMocks, only, settle } from "../../helpers/pulumiMocks";
import { expectedLabels, splitExpiry } from "../../helpers/k8sMocks";

const seen = installMocks();
const { PodKill } = require("../../../components/kubernetes") as typeof import("../../../components/kubernetes");

describe("PodKill (mocks)", () => {
    it("job engine: a ServiceAccount, a Role that can only list and delete pods in the namespace, a binding, a Job", async () => {
        const before = Date.now();
        const p = new PodKill("kill-web", { selector: { namespace: "shop", labels: { app: "web" }, mode: "fixed", value: 2 }, ttl: "10m" });
        await settle(seen);
        const role = only(seen, "kubernetes:rbac.authorization.k8s.io/v1:Role", "kill-web-role").inputs;
        assert.deepEqual(role.rules, [{ apiGroups: [""], resources: ["pods"], verbs: ["list", "delete"] }]);
        assert.equal(role.metadata.namespace, "shop");
        const binding = only(seen, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kill-web-binding").inputs;
        assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "faultline-kill-web" });
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "faultline-kill-web", namespace: "shop" }]);
        only(seen, "kubernetes:core/v1:ServiceAccount", "kill-web-sa");
        const job = only(seen, "kubernetes:batch/v1:Job", "kill-web-job").inputs;
        assert.deepEqual(splitExpiry(job.metadata.labels, 600, before), expectedLabels("kill-web", "kubernetes:pod-kill", "pod-kill"));
        assert.equal(job.spec.backoffLimit, 0);
        // Not awaited, so the kill happens in the runner's fault window; the RBAC objects are awaited as usual.
        assert.equal(job.metadata.annotations["pulumi.com/skipAwait"], "true");
        assert.equal(binding.metadata.annotations["pulumi.com/skipAwait"], undefined);
        assert.equal(job.spec.ttlSecondsAfterFinished, 600);
        const pod = job.spec.template.spec;
        assert.equal(pod.serviceAccountName, "faultline-kill-web");
        assert.deepEqual(pod.containers[0].env.slice(0, 5), [
            { name: "FAULTLINE_NAMESPACE", value: "shop" },
            { name: "FAULTLINE_SELECTOR", value: "app=web" },
            { name: "FAULTLINE_MODE", value: "fixed" },
            { name: "FAULTLINE_VALUE", value: "2" },
            { name: "FAULTLINE_GRACE", value: "0" },
        ]);
        assert.equal(p.description, "pod-kill fixed 2 of app=web in namespace shop (by job)");
    });

    it("chaos-mesh engine: one PodChaos, no Job and no RBAC", async () => {
        new PodKill("kill-api", {
            selector: { namespace: "shop", labels: { app: "api" }, mode: "random-max-percent", value: 30 },
            action: "container-kill",
            containerNames: ["sidecar"],
            engine: "chaos-mesh",
            ttl: "5m",
        });
        await settle(seen);
        const { inputs } = only(seen, "kubernetes:chaos-mesh.org/v1alpha1:PodChaos", "kill-api-chaos");
        assert.deepEqual(inputs.spec, {
            action: "container-kill",
            selector: { namespaces: ["shop"], labelSelectors: { app: "api" } },
            mode: "random-max-percent",
            value: "30",
            containerNames: ["sidecar"],
            gracePeriod: 0,
        });
        // Besides the PodChaos, only its lease.
        assert.deepEqual(seen.filter((r) => r.name.startsWith("kill-api-") && !r.type.includes("PodChaos")).map((r) => r.type), ["pulumi-nodejs:dynamic/faultline:KubernetesFaultLease"]);
    });

    it("says which engine a choice needs", () => {
        assert.throws(
            () => new PodKill("ck", { selector: { namespace: "shop", labels: { a: "b" } }, action: "container-kill", containerNames: ["x"], ttl: "1m" }),
            /  - engine: container-kill needs engine "chaos-mesh"; the job engine only deletes pods/,
        );
        assert.throws(
            () => new PodKill("rmp", { selector: { namespace: "shop", labels: { a: "b" }, mode: "random-max-percent", value: 10 }, ttl: "1m" }),
            /  - selector\.mode: random-max-percent needs engine "chaos-mesh"/,
        );
    });
});
