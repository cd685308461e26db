// Real-cluster test of the kubernetes probe kind, on the local cluster (npm run cluster:up): it passes in steady
// state, and fails, naming why, when the Deployment is scaled to zero, when its pods are deleted, and when a
// container keeps restarting. The probe reads the API through the cluster's kubeconfig, as a user's would be.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createProbe, ProbeSpec } from "../../runner/probes";
import { waitFor } from "../helpers/wait";
import { deployApp, IMAGES, kok, KUBECONFIG, runId, runningPods, whyNoCluster } from "./helpers";

const skip = whyNoCluster();

describe("kubernetes probe (real cluster)", { skip, timeout: 240_000 }, () => {
    const ns = `flt-test-probe-${runId()}`;
    function probe(spec: Record<string, unknown>) {
        return createProbe(ProbeSpec.parse({ name: "p", kind: "kubernetes", namespace: ns, kubeconfig: KUBECONFIG, ...spec }) as never);
    }
    const sample = async (spec: Record<string, unknown>) => {
        const p = probe(spec);
        try {
            const r = await p.sample();
            return [r.ok, r.value, r.detail];
        } finally {
            p.close();
        }
    };

    before(() => deployApp(ns, "web", 2));
    after(() => kok(["delete", "namespace", ns, "--wait=false", "--ignore-not-found"]));

    it("passes in steady state: ready replicas, pods Running and Ready, no restarts", async () => {
        assert.deepEqual(await sample({ check: "ready-replicas", deployment: "web" }), [true, 2, "2 ready of 2 desired"]);
        assert.deepEqual(await sample({ check: "ready-replicas", deployment: "web", minReady: 1 }), [true, 2, "2 ready of 2 desired (at least 1 required)"]);
        assert.deepEqual(await sample({ check: "pods-ready", deployment: "web" }), [true, 2, "2/2 pod(s) Running and Ready"]);
        assert.deepEqual(await sample({ check: "pods-ready", selector: { app: "web" }, minPods: 3 }), [false, 2, "2/2 pod(s) Running and Ready; 2 pod(s), at least 3 required"]);
        assert.deepEqual(await sample({ check: "restarts", selector: { app: "web" } }), [true, 0, "0 restart(s) over 2 pod(s) (at most 0)"]);
    });

    it("fails while the pods are deleted, and passes again once they are replaced", async () => {
        const p = probe({ check: "pods-ready", deployment: "web" });
        try {
            kok(["delete", "pods", "-n", ns, "-l", "app=web", "--grace-period=1", "--wait=false"]);
            const r = await p.sample();
            assert.equal(r.ok, false, r.detail);
            assert.match(r.detail, /^[01]\/[2-4] pod\(s\) Running and Ready; not Running and Ready: web-/);
            await waitFor("the probe to pass again", async () => (await p.sample()).ok, 60_000);
            assert.deepEqual(await p.sample().then((s) => [s.ok, s.value, s.detail]), [true, 2, "2/2 pod(s) Running and Ready"]);
        } finally {
            p.close();
        }
    });

    it("fails when the Deployment is scaled to zero, naming why", async () => {
        kok(["scale", "deployment/web", "-n", ns, "--replicas=0"]);
        await waitFor("web's pods to go", async () => runningPods(ns, "web").length === 0 && (await sample({ check: "pods-ready", deployment: "web" }))[2] === `no pod matches app=web in namespace ${ns}`, 60_000);
        assert.deepEqual(await sample({ check: "ready-replicas", deployment: "web" }), [false, 0, "0 desired replicas: the Deployment is scaled to zero"]);
        assert.deepEqual(await sample({ check: "ready-replicas", deployment: "web", minReady: 1 }), [false, 0, "0 ready of 0 desired (at least 1 required)"]);
        assert.deepEqual(await sample({ check: "restarts", deployment: "web" }), [false, 0, `no pod matches app=web in namespace ${ns}`]);
    });

    it("counts container restarts over the selected pods", async () => {
        kok(["create", "deployment", "crash", "-n", ns, `--image=${IMAGES.busybox}`, "--", "sh", "-c", "sleep 1; exit 1"]);
        const p = probe({ check: "restarts", selector: { app: "crash" } });
        try {
            await waitFor("a restart of crash", async () => ((await p.sample()).value ?? 0) >= 1, 90_000);
            const r = await p.sample();
            assert.equal(r.ok, false);
            assert.match(r.detail, /^[1-9]\d* restart\(s\) over 1 pod\(s\) \(at most 0\): crash-[a-z0-9]+-[a-z0-9]+ [1-9]\d*$/);
            assert.deepEqual(await sample({ check: "restarts", selector: { app: "crash" }, maxRestarts: 100 }).then((s) => s[0]), true);
        } finally {
            p.close();
        }
    });

    it("names a missing Deployment, and a kubeconfig that cannot be read", async () => {
        assert.deepEqual(await sample({ check: "ready-replicas", deployment: "nope" }), [false, undefined, `no Deployment "nope" in namespace ${ns}`]);
        const [ok, , detail] = await sample({ check: "ready-replicas", deployment: "web", kubeconfig: "/nonexistent/kubeconfig" });
        assert.equal(ok, false);
        assert.equal(detail, "kubeconfig: no file at /nonexistent/kubeconfig");
    });
});
