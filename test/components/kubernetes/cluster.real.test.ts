// Real-engine test against a real Kubernetes API server (etcd + kube-apiserver built by scripts/setup-k8s.sh; no
// kubelet). The pulumi-kubernetes provider plugin cannot be built here (the Go proxy refuses
// github.com/pulumi/pulumi-kubernetes/provider/v4, see docs/kubernetes-aws.md), so the objects are the ones the
// components declare (captured with Pulumi's mocks), applied with kubectl server-side apply the way the provider
// applies them, and checked through the API. The reaper and pod-kill scripts run for real, as their own
// ServiceAccounts with the Roles the components declare.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { installMocks, settle, type MockedResource } from "../../helpers/pulumiMocks";
import { startCluster, whyNoCluster, kubeEnv, type Cluster } from "../../helpers/kube";
import { chaosMeshCrds } from "../../fixtures/chaosMeshCrds";

const seen = installMocks({ project: "faultline", stack: "test-kube" });
const k = require("../../../components/kubernetes") as typeof import("../../../components/kubernetes");
const { reaperScript } = require("../../../components/kubernetes/Reaper") as typeof import("../../../components/kubernetes/Reaper");
const { podKillScript } = require("../../../components/kubernetes/PodKill") as typeof import("../../../components/kubernetes/PodKill");

const skip = whyNoCluster();

/** The object a mocked Kubernetes resource would be on the cluster. */
function manifest(r: MockedResource): Record<string, unknown> {
    const { apiVersion, kind, metadata, ...rest } = r.inputs;
    return { apiVersion, kind, metadata, ...rest };
}

function byName(name: string): Record<string, any> {
    const r = seen.find((x) => x.name === name);
    if (!r) throw new Error(`no mocked resource ${name}`);
    return manifest(r);
}

describe("Kubernetes faults on a real API server", { skip, timeout: 600_000 }, () => {
    let c: Cluster;
    const apply = (obj: unknown, manager = "faultline-test", force = false) =>
        c.kubectl(["apply", "--server-side", `--field-manager=${manager}`, ...(force ? ["--force-conflicts"] : []), "-f", "-"], JSON.stringify(obj));

    before(async () => {
        c = await startCluster();
        for (const ns of ["shop", "chaos"]) {
            assert.equal(c.kubectl(["create", "namespace", ns]).status, 0);
            // No controller manager here to create it.
            assert.equal(c.kubectl(["create", "serviceaccount", "default", "-n", ns]).status, 0);
        }
        // What the experiment declares: rendered once by the components, under mocks.
        new k.NetworkPartition("web-from-db", { namespace: "shop", podSelector: { app: "web" }, peers: { app: "db" }, ttl: "10m" });
        new k.NetworkChaos("db-latency", { selector: { namespace: "shop", labels: { app: "db" } }, action: "delay", delay: { latency: "100ms" }, ttl: "5m" });
        new k.StressChaos("api-cpu", { selector: { namespace: "shop", labels: { app: "api" }, mode: "fixed", value: 1 }, cpu: { workers: 1, load: 50 }, ttl: "5m" });
        new k.PodKill("kill-api", { selector: { namespace: "shop", labels: { app: "api" } }, engine: "chaos-mesh", ttl: "5m" });
        new k.PodKill("kill-web", { selector: { namespace: "shop", labels: { app: "web" }, mode: "fixed", value: 2 }, ttl: "5m" });
        new k.NodeThrottle("hot-node", { nodes: ["worker-1"], stress: { namespace: "chaos", cpu: { workers: 1 }, limits: { cpu: "1", memory: "128Mi" } }, ttl: "10m" });
        new k.Reaper("reaper-shop", { namespace: "shop", nodes: true, chaosMesh: true });
        await settle(seen);
    });

    after(async () => {
        await c?.stop();
    });

    it("the NetworkPolicy is accepted as declared, labels and expiry included", () => {
        const policy = byName("web-from-db-policy");
        assert.equal(apply(policy).status, 0);
        const live = c.json(["get", "networkpolicy", "faultline-web-from-db", "-n", "shop"]);
        assert.deepEqual(live.spec, policy.spec);
        assert.deepEqual(live.metadata.labels, policy.metadata.labels);
        assert.match(live.metadata.labels["dev.faultline.expires"], /^\d{10}$/);
    });

    it("Chaos Mesh custom resources are accepted by the CRD schemas, with their duration", () => {
        assert.equal(apply(chaosMeshCrds).status, 0);
        assert.equal(c.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]).status, 0);
        for (const [name, kind, duration] of [["db-latency-chaos", "networkchaos", "5m"], ["api-cpu-chaos", "stresschaos", "5m"], ["kill-api-chaos", "podchaos", undefined]] as const) {
            const cr = byName(name);
            const r = apply(cr);
            assert.equal(r.status, 0, r.stderr);
            const live = c.json(["get", kind, cr.metadata.name, "-n", "shop"]);
            assert.deepEqual(live.spec, cr.spec);
            assert.equal(live.spec.duration, duration);
        }
        const bad: Record<string, any> = { ...structuredClone(byName("db-latency-chaos")), metadata: { name: "bad", namespace: "shop" } };
        (bad.spec as Record<string, unknown>).mode = "everything";
        const r = apply(bad);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /spec\.mode: Unsupported value: "everything"/);
    });

    it("NodePatch: taints are an atomic list, so a node tainted by someone else conflicts unless forced", () => {
        // Another manager (here standing in for the kubelet or an operator) owns the node's taints.
        const node = { apiVersion: "v1", kind: "Node", metadata: { name: "worker-1" }, spec: { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] } };
        assert.equal(apply(node, "operator").status, 0);
        const patch = byName("hot-node-worker-1");
        const r = apply(patch, "pulumi-patch-hot-node");
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /conflict with "operator".*\.spec\.taints/s);
        const forced = apply(patch, "pulumi-patch-hot-node", true);
        assert.equal(forced.status, 0, forced.stderr);
        const live = c.json(["get", "node", "worker-1"]);
        assert.deepEqual(live.spec.taints, [{ key: "dev.faultline.throttled", value: "hot-node", effect: "NoSchedule" }], "a forced patch replaces the whole list");
    });

    it("NodePatch on a node without taints: cordoned, tainted, labelled; removing the patch's fields restores it", () => {
        assert.equal(apply({ apiVersion: "v1", kind: "Node", metadata: { name: "worker-2", labels: { zone: "a" } } }, "kubelet").status, 0);
        const patch = { ...byName("hot-node-worker-1"), metadata: { ...byName("hot-node-worker-1").metadata, name: "worker-2" } };
        assert.equal(apply(patch, "pulumi-patch-hot-node-2").status, 0);
        let live = c.json(["get", "node", "worker-2"]);
        assert.equal(live.spec.unschedulable, true);
        assert.deepEqual(live.spec.taints, [{ key: "dev.faultline.throttled", value: "hot-node", effect: "NoSchedule" }]);
        assert.equal(live.metadata.labels["dev.faultline.throttle"], "hot-node");
        // What deleting a Patch resource does: an apply by the same field manager that owns nothing any more.
        assert.equal(apply({ apiVersion: "v1", kind: "Node", metadata: { name: "worker-2" } }, "pulumi-patch-hot-node-2").status, 0);
        live = c.json(["get", "node", "worker-2"]);
        assert.equal(live.spec.unschedulable, undefined);
        assert.equal(live.spec.taints, undefined);
        assert.deepEqual(live.metadata.labels, { zone: "a" });
    });

    it("the stress DaemonSet is accepted as declared: pinned by the node label, tolerating the taint, with limits", () => {
        const ds = byName("hot-node-stress");
        const r = apply(ds);
        assert.equal(r.status, 0, r.stderr);
        const live = c.json(["get", "daemonset", "faultline-hot-node-stress", "-n", "chaos"]);
        assert.deepEqual(live.spec.template.spec.nodeSelector, { "dev.faultline.throttle": "hot-node" });
        assert.deepEqual(live.spec.template.spec.containers[0].resources, { limits: { cpu: "1", memory: "128Mi" }, requests: { cpu: "1", memory: "128Mi" } });
    });

    it("the pod-kill script, run as its own ServiceAccount, deletes the first N running matching pods and nothing else", () => {
        for (const n of ["sa", "role", "binding"]) {
            const r = apply(byName(`kill-web-${n}`));
            assert.equal(r.status, 0, r.stderr);
        }
        const pods = ["web-a", "web-b", "web-c", "db-a"];
        for (const p of pods) {
            const app = p.split("-")[0];
            const run = c.kubectl(["run", p, "-n", "shop", "--image=none", `--labels=app=${app}`, "--restart=Never"]);
            assert.equal(run.status, 0, run.stderr);
            // No kubelet here: mark the pods running by hand.
            const st = c.kubectl(["patch", "pod", p, "-n", "shop", "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Running"}}']);
            assert.equal(st.status, 0, st.stderr);
        }
        const token = c.kubectl(["create", "token", "faultline-kill-web", "-n", "shop"]).stdout.trim();
        const job = byName("kill-web-job");
        const env = Object.fromEntries((job.spec.template.spec.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
        const r = spawnSync("sh", ["-c", podKillScript()], { env: { ...tokenEnv(c, token), ...env }, encoding: "utf8", timeout: 60_000 });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.stdout.split("\n").filter((l) => l.startsWith("faultline:")), ["faultline: deleting pod/web-a", "faultline: deleting pod/web-b"]);
        const left = c.json(["get", "pods", "-n", "shop"]).items.map((p: { metadata: { name: string } }) => p.metadata.name).sort();
        assert.deepEqual(left, ["db-a", "web-c"]);
        // Its Role allows nothing else: it cannot delete a NetworkPolicy.
        const denied = c.kubectl(["--token", token, "delete", "networkpolicy", "faultline-web-from-db", "-n", "shop"]);
        assert.notEqual(denied.status, 0);
        assert.match(denied.stderr, /forbidden/);
    });

    it("the reaper, run as its own ServiceAccount, deletes expired faults only, and restores expired nodes", () => {
        for (const n of ["sa", "role", "binding", "nodes", "nodes-binding"]) {
            const r = apply(byName(`reaper-shop-${n}`));
            assert.equal(r.status, 0, r.stderr);
        }
        const past = String(Math.floor(Date.now() / 1000) - 60);
        const future = String(Math.floor(Date.now() / 1000) + 3600);
        const policy = byName("web-from-db-policy");
        const expired = (obj: Record<string, any>, name: string) => ({ ...obj, metadata: { ...obj.metadata, name, labels: { ...obj.metadata.labels, "dev.faultline.expires": past } } });
        for (const obj of [expired(policy, "expired-policy"), expired(byName("db-latency-chaos"), "expired-chaos"), { ...policy, metadata: { ...policy.metadata, name: "live-policy", labels: { ...policy.metadata.labels, "dev.faultline.expires": future } } }]) {
            const r = apply(obj);
            assert.equal(r.status, 0, r.stderr);
        }
        // worker-1 carries the (forced) throttle patch from above: make it expired, as if the ttl ran out.
        for (const args of [["label", "node", "worker-1", `dev.faultline.expires=${past}`, "--overwrite"], ["patch", "node", "worker-1", "--type=merge", "-p", '{"spec":{"unschedulable":true}}']]) {
            const r = c.kubectl(args);
            assert.equal(r.status, 0, r.stderr);
        }

        const token = c.kubectl(["create", "token", "faultline-reaper", "-n", "shop"]).stdout.trim();
        const cron = byName("reaper-shop-cron");
        const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
        const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
        assert.equal(container.command[2], reaperScript());
        const r = spawnSync("sh", ["-c", reaperScript()], { env: { ...tokenEnv(c, token), ...env }, encoding: "utf8", timeout: 120_000 });
        assert.equal(r.status, 0, `reaper failed: ${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, /faultline-reaper: networkpolicies\.networking\.k8s\.io\/expired-policy in shop expired; deleting/);
        assert.match(r.stdout, /faultline-reaper: networkchaos\.chaos-mesh\.org\/expired-chaos in shop expired; deleting/);
        assert.match(r.stdout, /faultline-reaper: node worker-1 expired; uncordoning/);

        const policies = c.json(["get", "networkpolicies", "-n", "shop"]).items.map((p: { metadata: { name: string } }) => p.metadata.name).sort();
        assert.deepEqual(policies, ["faultline-web-from-db", "live-policy"], "expired policy gone; unexpired ones kept");
        assert.equal(c.kubectl(["get", "networkchaos", "expired-chaos", "-n", "shop"]).status, 1);
        assert.equal(c.kubectl(["get", "networkchaos", "faultline-db-latency", "-n", "shop"]).status, 0);
        const sa = c.kubectl(["get", "serviceaccount", "faultline-reaper", "-n", "shop"]);
        assert.equal(sa.status, 0, "the reaper never reaps itself");
        const node = c.json(["get", "node", "worker-1"]);
        assert.equal(node.spec.unschedulable, undefined);
        assert.equal(node.spec.taints, undefined);
        assert.deepEqual(Object.keys(node.metadata.labels ?? {}).filter((l) => l.startsWith("dev.faultline.")), []);
        // A second run finds nothing to do.
        const again = spawnSync("sh", ["-c", reaperScript()], { env: { ...tokenEnv(c, token), ...env }, encoding: "utf8", timeout: 120_000 });
        assert.equal(again.status, 0, again.stderr);
        assert.equal(again.stdout, "");
    });
});

/** An environment in which kubectl authenticates with `token` only (a kubeconfig of its own), as a pod would. */
function tokenEnv(c: Cluster, token: string): NodeJS.ProcessEnv {
    const cfg = JSON.parse(readFileSync(c.kubeconfig, "utf8"));
    cfg.users = [{ name: "admin", user: { token } }];
    const file = path.join(path.dirname(c.kubeconfig), `kubeconfig-${token.slice(-12)}`);
    writeFileSync(file, JSON.stringify(cfg));
    return { ...kubeEnv(c), KUBECONFIG: file, HOME: path.dirname(c.kubeconfig) };
}
