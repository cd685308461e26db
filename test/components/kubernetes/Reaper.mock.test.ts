// Pulumi-mock test: no engine, no cluster. Checks the reaper's shape: an always-running Deployment with the lease
// program bundled into a ConfigMap, the RBAC that lets it revert exactly what a lease may list, visible labels.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installMocks, only, settle } from "../../helpers/pulumiMocks";

const seen = installMocks();
const { Reaper, REAPER_RULES } = require("../../../components/kubernetes/reaper/Reaper") as typeof import("../../../components/kubernetes/reaper/Reaper");

describe("Reaper (mocks)", () => {
    it("a one-replica Deployment of the bundled lease program, tolerating every taint, named after its stack", async () => {
        const r = new Reaper("reaper", { namespace: "shop" });
        await settle(seen);
        assert.equal(r.deploymentName, "faultline-reaper-test-mock");
        const d = only(seen, "kubernetes:apps/v1:Deployment", "reaper-deployment").inputs;
        assert.deepEqual(d.metadata.labels, {
            "dev.faultline.managed": "true",
            "dev.faultline.project": "faultline",
            "dev.faultline.stack": "test-mock",
            "dev.faultline.role": "reaper",
        });
        assert.equal(d.spec.replicas, 1);
        const pod = d.spec.template.spec;
        assert.deepEqual(pod.tolerations, [{ operator: "Exists" }]);
        assert.equal(pod.containers[0].image, process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1");
        assert.deepEqual(pod.containers[0].command, ["node", "/reaper/reaper.js"]);
        assert.deepEqual(pod.containers[0].env, [
            { name: "FAULTLINE_STACK", value: "test-mock" },
            { name: "FAULTLINE_INTERVAL_MS", value: "1000" },
        ]);
        const program = only(seen, "kubernetes:core/v1:ConfigMap", "reaper-program").inputs;
        assert.match(program.data["reaper.js"], /dev\.faultline\.role=lease|FAULTLINE_STACK/);
        assert.ok(program.data["reaper.js"].length < 200_000, "the bundle fits a ConfigMap with room to spare");
    });

    it("a ClusterRole with exactly the rules a lease needs: delete the kinds faults create, patch nodes, no more", async () => {
        const role = only(seen, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "reaper-role").inputs;
        assert.deepEqual(role.rules, REAPER_RULES);
        assert.deepEqual(role.rules.find((r: any) => r.resources.includes("nodes"))?.verbs, ["get", "patch"]);
        assert.ok(role.rules.every((r: any) => !r.verbs.includes("*") && !r.resources.includes("*")));
        const binding = only(seen, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "reaper-binding").inputs;
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "faultline-reaper-test-mock", namespace: "shop" }]);
    });
});
