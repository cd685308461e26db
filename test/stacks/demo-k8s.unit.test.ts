// The demo-on-Kubernetes stacks validate as experiments and use the kubernetes probe kind where the demo relies on it.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseSpec } from "../../components/core/errors";
import { ExperimentSpec } from "../../components/experiment";

// js-yaml ships with @pulumi/pulumi (its own stack-config reader); it has no types of its own.
const { load } = require("js-yaml") as { load(text: string): unknown };

function experiment(stack: string) {
    const file = path.join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`);
    const raw = (load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config["faultline:experiment"];
    return parseSpec(ExperimentSpec, raw, "experiment", "faultline:experiment");
}

describe("demo-k8s stacks", () => {
    it("demo-k8s-proxy-kill: a pod kill of Toxiproxy, its Deployment's ready replicas as a steady-state probe", () => {
        const e = experiment("demo-k8s-proxy-kill");
        assert.deepEqual(e.faults.map((f) => f.kind), ["kubernetes:pod-kill"]);
        assert.deepEqual(
            e.hypothesis.probes.map((p) => [p.name, p.kind]),
            [["api-health", "http"], ["proxy-ready", "kubernetes"]],
        );
        assert.equal(e.load?.url, "http://127.0.0.1:18880/catalog");
        assert.deepEqual(e.faults[0]!.expect!.map((x) => [x.mode, x.probe.kind]), [["within", "http"]]);
    });

    it("demo-k8s-worker-kill: a pod kill of the worker, a throughout readiness check and a critical durability check", () => {
        const e = experiment("demo-k8s-worker-kill");
        assert.deepEqual(e.faults.map((f) => f.kind), ["kubernetes:pod-kill"]);
        assert.deepEqual(
            e.faults[0]!.expect!.map((x) => [x.mode, x.probe.kind, x.critical]),
            [["throughout", "kubernetes", false], ["after-recovery", "command", true]],
        );
        assert.equal(e.load?.method, "POST");
        assert.equal(fs.existsSync(path.join(__dirname, "..", "..", "demo", "k8s", "lost-orders.mjs")), true);
    });
});
