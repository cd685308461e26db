// Kubernetes tier: the in-cluster time-to-live after kill -9. `pulumi up` of a throttled node, a pod kill and a Chaos
// Mesh NetworkChaos (ttl 30s) is SIGKILLed, every process of its tree (CLI, language host, program, every plugin),
// once all three are in. The stack's reaper Deployment must revert each within ttl + 10 s: node restored, Job and
// RBAC deleted, NetworkChaos deleted, leases released.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { waitFor } from "../helpers/wait";
import { clusterStack, deployApp, dropStack, kjson, kok, kubectl, NODE, nodeState, runId, upThenKillTree, whyNoCluster, CHAOS_MESH_CRDS } from "./helpers";

const TTL_S = 30;


describe("Kubernetes time-to-live after kill -9 of the whole `pulumi up` tree", { skip: whyNoCluster(), timeout: 600_000 }, () => {
    const run = runId();
    const ns = `flt-test-${run}`;
    const stackName = `test-k8s-ttl-${run}`;
    let stack: Stack;
    let before_: ReturnType<typeof nodeState>;

    before(async () => {
        useFaultlineEnv();
        kok(["apply", "--server-side", "-f", CHAOS_MESH_CRDS]);
        kok(["wait", "--for=condition=Established", "crd/networkchaos.chaos-mesh.org", "--timeout=60s"]);
        await deployApp(ns, "web", 2);
        before_ = nodeState();
        const ttl = `${TTL_S}s`;
        stack = await clusterStack(stackName, {
            name: "k8s-ttl-test",
            kubernetes: { reaperNamespace: ns },
            faults: [
                { name: "hot-node", kind: "kubernetes:node-throttle", nodes: [NODE], taint: "NoSchedule", ttl },
                { name: "kill-web", kind: "kubernetes:pod-kill", selector: { namespace: ns, labels: { app: "web" } }, ttl },
                { name: "web-delay", kind: "kubernetes:network-chaos", action: "delay", selector: { namespace: ns, labels: { app: "web" } }, delay: { latency: "100ms" }, ttl },
            ],
        });
    });

    after(async () => {
        await dropStack(stack);
        kubectl(["delete", "namespace", ns, "--wait=false"]);
    });

    it("every fault is reverted within ttl + 10 s by the reaper alone", async () => {
        const inPlace = () =>
            kubectl(["get", "networkchaos", "-n", ns, "faultline-web-delay"]).status === 0 &&
            kubectl(["get", "job", "-n", ns, "faultline-kill-web"]).status === 0 &&
            nodeState().unschedulable;
        await upThenKillTree(stackName, async () => inPlace());
        const leases = kjson(["get", "configmaps", "-A", "-l", `dev.faultline.role=lease,dev.faultline.stack=${stackName}`]).items.map((c: any) => JSON.parse(c.data["record.json"]));
        assert.deepEqual(leases.map((l: any) => l.owner.fault).sort(), ["hot-node", "kill-web", "web-delay"]);
        // Seen from outside, every 200 ms: when each fault's effect is gone, relative to its own deadline.
        const deadline = (fault: string) => leases.find((l: any) => l.owner.fault === fault).expiresAt as number;
        const gone: Record<string, () => boolean> = {
            "hot-node": () => {
                const n = nodeState();
                return !n.unschedulable && !(n.taints as any[]).some((t) => t.key === "dev.faultline.throttled");
            },
            "kill-web": () => kubectl(["get", "job,serviceaccount,role,rolebinding", "-n", ns, "-l", "dev.faultline.fault=kill-web", "-o", "name"]).stdout.trim() === "",
            "web-delay": () => kubectl(["get", "networkchaos", "-n", ns, "faultline-web-delay"]).status !== 0,
        };
        const late: Record<string, number> = {};
        await waitFor(
            "every fault reverted by the reaper",
            async () => {
                for (const [fault, check] of Object.entries(gone)) if (late[fault] === undefined && check()) late[fault] = Date.now() - deadline(fault);
                return Object.keys(late).length === 3;
            },
            (TTL_S + 60) * 1000,
            200,
        );
        console.log(`reverted after the deadline (ms): ${JSON.stringify(late)}`);
        for (const [fault, ms] of Object.entries(late)) {
            assert.ok(ms > -1000, `${fault} was reverted ${-ms} ms BEFORE its deadline`);
            assert.ok(ms <= 10_000, `${fault} reverted ${ms} ms after its deadline (limit 10 s)`);
        }
        await waitFor("the node exactly as before", async () => JSON.stringify(nodeState()) === JSON.stringify(before_), 15_000).catch(() => undefined);
        assert.deepEqual(nodeState(), before_, "the node is exactly as before");
        await waitFor("the leases released", async () => kjson(["get", "configmaps", "-A", "-l", `dev.faultline.role=lease,dev.faultline.stack=${stackName}`]).items.length === 0, 10_000);
        const logs = kubectl(["logs", "-n", ns, `deployment/faultline-reaper-${stackName}`]).stdout;
        for (const fault of ["hot-node", "kill-web", "web-delay"]) assert.match(logs, new RegExp(`"event":"reverted".*"fault":"${fault}"`));
    });
});
