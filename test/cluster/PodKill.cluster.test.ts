// Kubernetes tier: pod kill through the real Pulumi CLI and Kubernetes provider on the local cluster. The Job
// deletes one pod of the Deployment, which its controller replaces; destroy removes the Job, its RBAC and the lease.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { waitFor } from "../helpers/wait";
import { clusterStack, deployApp, dropStack, kjson, kubectl, runId, runningPods, whyNoCluster } from "./helpers";

describe("PodKill on a real cluster", { skip: whyNoCluster(), timeout: 600_000 }, () => {
    const run = runId();
    const ns = `flt-test-${run}`;
    let stack: Stack;
    let victims: string[] = [];

    before(async () => {
        useFaultlineEnv();
        await deployApp(ns, "worker", 2);
        victims = runningPods(ns, "worker").sort();
        stack = await clusterStack(`test-k8s-podkill-${run}`, {
            name: "k8s-podkill-test",
            kubernetes: { reaperNamespace: ns },
            faults: [{ name: "kill-worker", kind: "kubernetes:pod-kill", selector: { namespace: ns, labels: { app: "worker" } }, ttl: "10m" }],
        });
    });

    after(async () => {
        await dropStack(stack);
        kubectl(["delete", "namespace", ns, "--wait=false"]);
    });

    it("up deletes exactly one pod (the first by name) and the Deployment replaces it", async () => {
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        await waitFor("the first worker pod deleted", async () => !runningPods(ns, "worker").includes(victims[0]!), 60_000);
        await waitFor("two workers Running again", async () => runningPods(ns, "worker").length === 2, 60_000);
        const now = runningPods(ns, "worker");
        assert.ok(now.includes(victims[1]!), "the second pod was left alone");
        assert.equal(now.filter((p) => !victims.includes(p)).length, 1, "one replacement");
        // `up` does not wait for the Job (so the kill falls in the fault window): its success comes a moment later.
        await waitFor("the kill Job succeeded", async () => kjson(["get", "job", "-n", ns, "faultline-kill-worker"]).status.succeeded === 1, 60_000);
        assert.match(kubectl(["logs", "-n", ns, "job/faultline-kill-worker"]).stdout, new RegExp(`faultline: deleting pod/${victims[0]}`));
    });

    it("destroy removes the Job, its ServiceAccount, Role and RoleBinding, and the lease", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        for (const kind of ["job", "serviceaccount", "role", "rolebinding"]) {
            assert.equal(kubectl(["get", kind, "-n", ns, "faultline-kill-worker"]).status, 1, `${kind} left`);
        }
        assert.equal(kjson(["get", "configmaps", "-n", ns, "-l", "dev.faultline.role=lease"]).items.length, 0);
    });
});
