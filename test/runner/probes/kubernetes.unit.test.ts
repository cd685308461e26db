// The kubernetes probe's spec: defaults, and every mistake reported at its field with the fix, in one pass.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toSpecIssues } from "../../../components/core/errors";
import { ExperimentSpec } from "../../../components/experiment";
import { ProbeSpec } from "../../../runner/probes";

function issuesOf(input: Record<string, unknown>) {
    const r = ProbeSpec.safeParse({ kind: "kubernetes", name: "k", ...input });
    return r.success ? [] : toSpecIssues(r.error.issues).map((i) => `${i.path}: ${i.message}`);
}

describe("kubernetes probe spec", () => {
    it("parses each check with its defaults", () => {
        assert.deepEqual(ProbeSpec.parse({ kind: "kubernetes", check: "ready-replicas", namespace: "shop", deployment: "api" }), {
            kind: "kubernetes",
            check: "ready-replicas",
            namespace: "shop",
            deployment: "api",
            timeout: 1000,
        });
        assert.deepEqual(ProbeSpec.parse({ kind: "kubernetes", check: "restarts", namespace: "shop", selector: { app: "worker" }, maxRestarts: 2, timeout: "2s" }), {
            kind: "kubernetes",
            check: "restarts",
            namespace: "shop",
            selector: { app: "worker" },
            maxRestarts: 2,
            timeout: 2000,
        });
        assert.deepEqual(
            ProbeSpec.parse({ kind: "kubernetes", check: "pods-ready", namespace: "shop", deployment: "worker", minPods: 2, state: "running", kubeconfig: "/k" }),
            { kind: "kubernetes", check: "pods-ready", namespace: "shop", deployment: "worker", minPods: 2, state: "running", kubeconfig: "/k", timeout: 1000 },
        );
    });

    const cases: Array<[title: string, input: Record<string, unknown>, issues: string[]]> = [
        ["check and namespace missing", {}, ["check: required: the check, one of ready-replicas, restarts, pods-ready", "namespace: required: the name of the namespace, e.g. shop"]],
        ["unknown check", { check: "healthy", namespace: "shop" }, ["check: required: the check, one of ready-replicas, restarts, pods-ready"]],
        ["namespace not a name", { check: "restarts", namespace: "Shop_1", selector: { app: "x" } }, ["namespace: is not a Kubernetes name: lowercase letters, digits, '-' and '.', e.g. shop"]],
        ["ready-replicas without deployment", { check: "ready-replicas", namespace: "shop" }, ["deployment: required for check ready-replicas: the name of the Deployment"]],
        [
            "ready-replicas with a selector",
            { check: "ready-replicas", namespace: "shop", deployment: "api", selector: { app: "api" } },
            ["selector: check ready-replicas reads the Deployment's status, not pods; remove selector"],
        ],
        [
            "pod check with neither selector nor deployment",
            { check: "pods-ready", namespace: "shop" },
            ["selector: check pods-ready needs exactly one of selector (pod labels, e.g. { app: worker }) or deployment (its pods)"],
        ],
        [
            "pod check with both",
            { check: "restarts", namespace: "shop", deployment: "api", selector: { app: "api" } },
            ["deployment: check restarts needs exactly one of selector (pod labels, e.g. { app: worker }) or deployment (its pods)"],
        ],
        ["empty selector", { check: "restarts", namespace: "shop", selector: {} }, ["selector: give at least one label, e.g. { app: worker }"]],
        ["selector not a map", { check: "restarts", namespace: "shop", selector: "app=worker" }, ["selector: must be a map of pod labels, e.g. { app: worker }"]],
        [
            "fields of other checks",
            { check: "ready-replicas", namespace: "shop", deployment: "api", maxRestarts: 1, state: "ready" },
            ["maxRestarts: only for check restarts; check ready-replicas does not use it", "state: only for check pods-ready; check ready-replicas does not use it"],
        ],
        ["negative minReady", { check: "ready-replicas", namespace: "shop", deployment: "api", minReady: -1 }, ["minReady: must be 0 or more"]],
        ["minPods zero", { check: "pods-ready", namespace: "shop", deployment: "api", minPods: 0 }, ["minPods: must be at least 1"]],
        ["unknown state", { check: "pods-ready", namespace: "shop", deployment: "api", state: "healthy" }, ["state: must be running or ready"]],
        ["deployment not a name", { check: "ready-replicas", namespace: "shop", deployment: "API" }, ["deployment: is not a Kubernetes name: lowercase letters, digits, '-' and '.', e.g. api"]],
        ["unknown field", { check: "ready-replicas", namespace: "shop", deployment: "api", replicas: 2 }, ["replicas: unknown field; remove it or check its spelling against the documented fields"]],
        ["timeout too long", { check: "ready-replicas", namespace: "shop", deployment: "api", timeout: "1m" }, ["timeout: a probe timeout must be at most 30s; probes are sampled many times a second"]],
    ];
    for (const [title, input, issues] of cases) {
        it(`reports ${title}`, () => assert.deepEqual(issuesOf(input), issues));
    }

    it("is a steady-state probe and an expectation's probe in an experiment, with paths from the experiment's root", () => {
        const r = ExperimentSpec.safeParse({
            name: "k8s-probe",
            timing: { ttl: "5m" },
            hypothesis: { probes: [{ name: "api-ready", kind: "kubernetes", check: "ready-replicas", namespace: "demo" }] },
            faults: [
                {
                    name: "kill",
                    kind: "kubernetes:pod-kill",
                    selector: { namespace: "demo", labels: { app: "worker" } },
                    expect: [{ behaviour: "a worker comes back", probe: { kind: "kubernetes", check: "pods-ready", namespace: "demo", deployment: "worker" } }],
                },
            ],
        });
        assert.equal(r.success, false);
        assert.deepEqual(toSpecIssues(r.error!.issues).map((i) => `${i.path}: ${i.message}`), [
            "hypothesis.probes[0].deployment: required for check ready-replicas: the name of the Deployment",
        ]);
    });
});
