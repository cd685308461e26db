// Kubernetes tier: network partition and Chaos Mesh resources through the real Pulumi CLI and Kubernetes provider
// on the local cluster. The local cluster enforces NetworkPolicy with kube-router's policy controller (iptables +
// ipset; scripts/cluster.sh), so the partition is observed as traffic: an HTTP request from the cut-off peer fails
// while the fault is in and succeeds after destroy, and a pod that is not a peer reaches the server throughout.
// Chaos Mesh's CRDs are installed from its Go module: its resources are accepted by the API server's schema and
// removed by destroy (no Chaos Mesh controller runs in this test).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { waitFor } from "../helpers/wait";
import { clusterStack, deployApp, dropStack, kjson, kok, kubectl, runId, whyNoCluster, CHAOS_MESH_CRDS } from "./helpers";

/** The web pods serve "ok" on port 8080 (busybox httpd). */
const SERVE = "echo ok > /tmp/index.html && exec httpd -f -p 8080 -h /tmp";

/** True when one pod of app=<from> gets "ok" from http://<ip>:8080/ within 2 s (busybox nc; its wget crashes in a pod here). */
function reaches(namespace: string, from: string, ip: string): boolean {
    const get = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${ip} 8080`;
    const r = kubectl(["exec", "-n", namespace, `deploy/${from}`, "--", "sh", "-c", get]);
    return r.status === 0 && /^HTTP\/1\.[01] 200 /.test(r.stdout) && r.stdout.trimEnd().endsWith("\nok");
}

describe("NetworkPartition and Chaos Mesh kinds on a real cluster", { skip: whyNoCluster(), timeout: 600_000 }, () => {
    const run = runId();
    const ns = `flt-test-${run}`;
    let stack: Stack;
    let webIp = "";

    before(async () => {
        useFaultlineEnv();
        kok(["apply", "--server-side", "-f", CHAOS_MESH_CRDS]);
        kok(["wait", "--for=condition=Established", "crd/networkchaos.chaos-mesh.org", "crd/stresschaos.chaos-mesh.org", "crd/podchaos.chaos-mesh.org", "--timeout=60s"]);
        await deployApp(ns, "web", 1, SERVE);
        await deployApp(ns, "db", 1);
        await deployApp(ns, "other", 1);
        webIp = kjson(["get", "pods", "-n", ns, "-l", "app=web"]).items[0].status.podIP;
        assert.ok(reaches(ns, "db", webIp) && reaches(ns, "other", webIp), "before the fault, db and other reach web");
        stack = await clusterStack(`test-k8s-partition-${run}`, {
            name: "k8s-partition-test",
            kubernetes: { reaperNamespace: ns },
            faults: [
                { name: "web-from-db", kind: "kubernetes:network-partition", namespace: ns, podSelector: { app: "web" }, peers: { app: "db" }, ttl: "10m" },
                { name: "web-delay", kind: "kubernetes:network-chaos", action: "delay", selector: { namespace: ns, labels: { app: "web" } }, delay: { latency: "100ms" }, ttl: "10m" },
                { name: "web-cpu", kind: "kubernetes:stress-chaos", selector: { namespace: ns, labels: { app: "web" } }, cpu: { workers: 1, load: 50 }, ttl: "10m" },
            ],
        });
    });

    after(async () => {
        await dropStack(stack);
        kubectl(["delete", "namespace", ns, "--wait=false"]);
    });

    it("up creates the NetworkPolicy and the Chaos Mesh resources, each with its lease", async () => {
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        const policy = kjson(["get", "networkpolicy", "-n", ns, "faultline-web-from-db"]);
        assert.deepEqual(policy.spec.podSelector, { matchLabels: { app: "web" } });
        assert.deepEqual(policy.spec.policyTypes, ["Ingress", "Egress"]);
        assert.equal(policy.metadata.labels["dev.faultline.fault"], "web-from-db");
        const delay = kjson(["get", "networkchaos", "-n", ns, "faultline-web-delay"]);
        assert.equal(delay.spec.action, "delay");
        assert.equal(delay.spec.delay.latency, "100ms");
        const stress = kjson(["get", "stresschaos", "-n", ns, "faultline-web-cpu"]);
        assert.equal(stress.spec.stressors.cpu.workers, 1);
        const leases = kjson(["get", "configmaps", "-n", ns, "-l", "dev.faultline.role=lease"]).items.map((c: any) => c.metadata.name).sort();
        assert.deepEqual(leases, ["faultline-web-cpu-lease", "faultline-web-delay-lease", "faultline-web-from-db-lease"]);
    });

    it("the partition is enforced: db cannot reach web, a pod that is not a peer still can", async () => {
        const started = Date.now();
        await waitFor("kube-router to block db -> web", async () => !reaches(ns, "db", webIp), 30_000, 500);
        console.log(`db -> web blocked ${Date.now() - started} ms after up returned`);
        // Not a one-off: still blocked, and the other pod, which is no peer, reaches web throughout.
        for (let i = 0; i < 3; i++) {
            assert.equal(reaches(ns, "db", webIp), false, "db reached web while the partition was in");
            assert.equal(reaches(ns, "other", webIp), true, "other could not reach web: the partition cut more than its peers");
        }
    });

    it("destroy removes them all, and their leases", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        assert.equal(kubectl(["get", "networkpolicy", "-n", ns, "faultline-web-from-db"]).status, 1);
        assert.equal(kjson(["get", "networkchaos,stresschaos", "-n", ns]).items.length, 0);
        assert.equal(kjson(["get", "configmaps", "-n", ns, "-l", "dev.faultline.role=lease"]).items.length, 0);
    });

    it("after destroy, db reaches web again", async () => {
        const started = Date.now();
        await waitFor("db -> web flowing again", async () => reaches(ns, "db", webIp), 30_000, 500);
        console.log(`db -> web flowing ${Date.now() - started} ms after destroy returned`);
        assert.equal(reaches(ns, "other", webIp), true);
    });
});
