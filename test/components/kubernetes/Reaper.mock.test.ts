// Pulumi-mock test: no engine, no cluster. Checks the reaper's least RBAC and its CronJob.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installMocks, only, settle } from "../../helpers/pulumiMocks";

const seen = installMocks();
const { Reaper } = require("../../../components/kubernetes/Reaper") as typeof import("../../../components/kubernetes/Reaper");

describe("Reaper (mocks)", () => {
    it("namespace only: list+delete on exactly the kinds faults leave, no cluster-wide permission", async () => {
        new Reaper("shop-reaper", { namespace: "shop" });
        await settle(seen);
        const role = only(seen, "kubernetes:rbac.authorization.k8s.io/v1:Role", "shop-reaper-role").inputs;
        assert.deepEqual(role.rules, [
            { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["list", "delete"] },
            { apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["list", "delete"] },
            { apiGroups: ["batch"], resources: ["jobs"], verbs: ["list", "delete"] },
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings", "roles"], verbs: ["list", "delete"] },
            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["list", "delete"] },
        ]);
        assert.equal(seen.filter((r) => r.type.includes("ClusterRole")).length, 0);
        const cron = only(seen, "kubernetes:batch/v1:CronJob", "shop-reaper-cron").inputs;
        assert.equal(cron.spec.schedule, "* * * * *");
        assert.equal(cron.spec.concurrencyPolicy, "Forbid");
        assert.deepEqual(cron.metadata.labels, {
            "dev.faultline.managed": "true",
            "dev.faultline.project": "faultline",
            "dev.faultline.stack": "test-mock",
            "dev.faultline.role": "reaper",
        });
        assert.equal(cron.metadata.labels["dev.faultline.expires"], undefined, "the reaper never reaps itself");
        const c = cron.spec.jobTemplate.spec.template.spec.containers[0];
        assert.deepEqual(c.env, [
            { name: "FAULTLINE_NAMESPACE", value: "shop" },
            { name: "FAULTLINE_RESOURCES", value: "networkpolicies.networking.k8s.io daemonsets.apps jobs.batch rolebindings.rbac.authorization.k8s.io roles.rbac.authorization.k8s.io serviceaccounts" },
            { name: "FAULTLINE_NODES", value: "false" },
            { name: "HOME", value: "/tmp" },
        ]);
        assert.match(c.command[2], /-l 'dev\.faultline\.managed=true,dev\.faultline\.expires'/);
    });

    it("with nodes and Chaos Mesh: a ClusterRole on nodes only, and the Chaos Mesh kinds", async () => {
        new Reaper("chaos-reaper", { namespace: "chaos", nodes: true, chaosMesh: true });
        await settle(seen);
        const cr = only(seen, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "chaos-reaper-nodes").inputs;
        assert.deepEqual(cr.rules, [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "patch"] }]);
        assert.equal(cr.metadata.name, "faultline-reaper-test-mock-chaos");
        const role = only(seen, "kubernetes:rbac.authorization.k8s.io/v1:Role", "chaos-reaper-role").inputs;
        assert.deepEqual(role.rules.at(-1), {
            apiGroups: ["chaos-mesh.org"],
            resources: ["podchaos", "networkchaos", "stresschaos", "timechaos", "dnschaos", "iochaos"],
            verbs: ["list", "delete"],
        });
    });
});
