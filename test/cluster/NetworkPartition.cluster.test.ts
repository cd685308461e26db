// Kubernetes tier: network partition and Chaos Mesh resources through the real Pulumi CLI and Kubernetes provider
// on the local cluster. The bridge CNI does not enforce NetworkPolicy, so the partition is verified as an object
// (enforcement is the CNI's job; see docs/kubernetes.md). Chaos Mesh's CRDs are installed from its Go module: its
// resources are accepted by the API server's schema and removed by destroy; no Chaos Mesh controller runs here.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { clusterStack, deployApp, dropStack, kjson, kok, kubectl, runId, whyNoCluster } from "./helpers";

/** manifests/crd.yaml of Chaos Mesh's Go module, cached by scripts/setup-k8s.sh. */
function chaosMeshCrds(): string | undefined {
    const cache = process.env.FAULTLINE_CACHE ?? path.join(os.homedir(), ".cache", "faultline");
    const dir = existsSync(cache) ? readdirSync(cache).find((d) => d.startsWith("chaos-mesh-")) : undefined;
    return dir ? path.join(cache, dir, "crd.yaml") : undefined;
}

describe("NetworkPartition and Chaos Mesh kinds on a real cluster", { skip: whyNoCluster(), timeout: 600_000 }, () => {
    const run = runId();
    const ns = `flt-test-${run}`;
    let stack: Stack;

    before(async () => {
        useFaultlineEnv();
        const crds = chaosMeshCrds();
        assert.ok(crds, "no Chaos Mesh CRDs in the cache: run scripts/setup-k8s.sh cluster");
        kok(["apply", "--server-side", "-f", crds]);
        kok(["wait", "--for=condition=Established", "crd/networkchaos.chaos-mesh.org", "crd/stresschaos.chaos-mesh.org", "crd/podchaos.chaos-mesh.org", "--timeout=60s"]);
        await deployApp(ns, "web", 1);
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

    it("destroy removes them all, and their leases", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        assert.equal(kubectl(["get", "networkpolicy", "-n", ns, "faultline-web-from-db"]).status, 1);
        assert.equal(kjson(["get", "networkchaos,stresschaos", "-n", ns]).items.length, 0);
        assert.equal(kjson(["get", "configmaps", "-n", ns, "-l", "dev.faultline.role=lease"]).items.length, 0);
    });
});
