// `pulumi preview` of the Kubernetes and AWS example stacks, under Pulumi's mocks: the CLI here cannot load the
// kubernetes or aws provider plugins, so the stack program runs with setMocks and the faults it declares are checked.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
// js-yaml ships with @pulumi/pulumi (its own stack-config reader); it has no types of its own.
const { load } = require("js-yaml") as { load(text: string): unknown };
import { installMocks, settle } from "../helpers/pulumiMocks";

const seen = installMocks({ project: "faultline", stack: "examples" });
const { parseSpec } = require("../../components/core/errors") as typeof import("../../components/core/errors");
const { ExperimentSpec } = require("../../components/experiment") as typeof import("../../components/experiment");
const { buildExperiment } = require("../../stacks/program") as typeof import("../../stacks/program");

/** Builds an example stack's experiment as stacks/index.ts does: from the validated spec. */
function build(stack: string) {
    const file = path.join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`);
    const config = (load(readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
    return buildExperiment(parseSpec(ExperimentSpec, config["faultline:experiment"], "experiment", "faultline:experiment"));
}

function types(prefix: string): string[] {
    return seen.filter((r) => r.name.startsWith(prefix)).map((r) => `${r.type} ${r.name}`).sort();
}

describe("example stacks under mocks (what `pulumi preview` shows)", () => {
    it("k8s-partition: a NetworkPolicy, a pod-kill Job with its RBAC, each after its lease, and the stack's reaper", async () => {
        const out = build("k8s-partition");
        await settle(seen);
        assert.deepEqual(out.faults, {
            "web-from-db": { kind: "kubernetes:network-partition", description: "cut both traffic of pods app=web in namespace shop from pods app=db" },
            "kill-one-web": { kind: "kubernetes:pod-kill", description: "pod-kill one pod of app=web in namespace shop (by job)" },
        });
        assert.deepEqual(out.reaper, { namespace: "default", deployment: "faultline-reaper-examples" });
        assert.deepEqual(types("web-from-db"), [
            "faultline:kubernetes:NetworkPartition web-from-db",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy web-from-db-policy",
            "pulumi-nodejs:dynamic/faultline:KubernetesFaultLease web-from-db-lease",
        ]);
        assert.deepEqual(types("kill-one-web"), [
            "faultline:kubernetes:PodKill kill-one-web",
            "kubernetes:batch/v1:Job kill-one-web-job",
            "kubernetes:core/v1:ServiceAccount kill-one-web-sa",
            "kubernetes:rbac.authorization.k8s.io/v1:Role kill-one-web-role",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding kill-one-web-binding",
            "pulumi-nodejs:dynamic/faultline:KubernetesFaultLease kill-one-web-lease",
        ]);
        const policy = seen.find((r) => r.name === "web-from-db-policy")!.inputs;
        assert.equal(policy.metadata.labels["dev.faultline.experiment"], "k8s-partition");
        assert.equal(policy.metadata.labels["dev.faultline.stack"], "examples");
        assert.deepEqual(types("reaper"), [
            "faultline:kubernetes:Reaper reaper",
            "kubernetes:apps/v1:Deployment reaper-deployment",
            "kubernetes:core/v1:ConfigMap reaper-program",
            "kubernetes:core/v1:ServiceAccount reaper-sa",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole reaper-role",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding reaper-binding",
        ]);
    });

    it("k8s-throttled-nodes: a lease, then a NodePatch and a stress DaemonSet", async () => {
        const out = build("k8s-throttled-nodes");
        await settle(seen);
        assert.equal(out.faults["hot-node"]!.description, "cordon, taint dev.faultline.throttled=hot-node:NoSchedule, stress (2 CPU worker(s), 256M memory; limits cpu 2, memory 512Mi) on node(s) worker-2");
        assert.deepEqual(types("hot-node"), [
            "faultline:kubernetes:NodeThrottle hot-node",
            "kubernetes:apps/v1:DaemonSet hot-node-stress",
            "kubernetes:core/v1:NodePatch hot-node-worker-2",
            "pulumi-nodejs:dynamic/faultline:KubernetesFaultLease hot-node-lease",
        ]);
    });

    it("k8s-chaos-mesh: one Chaos Mesh resource per fault, duration from ttl or its own", async () => {
        build("k8s-chaos-mesh");
        await settle(seen);
        const crs = seen.filter((r) => r.type.startsWith("kubernetes:chaos-mesh.org/v1alpha1:")).map((r) => [r.type.split(":").at(-1), r.name, r.inputs.spec.duration])
            .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
        assert.deepEqual(crs, [
            ["TimeChaos", "api-clock-chaos", "5m"],
            ["StressChaos", "api-cpu-chaos", "5m"],
            ["NetworkChaos", "db-latency-chaos", "5m"],
            ["IOChaos", "db-slow-disk-chaos", "3m"],
            ["DNSChaos", "no-payments-dns-chaos", "5m"],
        ]);
    });

    it("aws-fis: the template with its role, policy, alarm and log group, and the run that starts it", async () => {
        const out = build("aws-fis");
        await settle(seen);
        assert.equal(
            out.faults["web-outage"]!.description,
            "aws:ec2:stop-instances on 1 of aws:ec2:instance tagged app=web,chaos-ready=true for 5m; aws:fis:inject-api-throttle-error on all of arn:aws:iam::123456789012:role/web-app for 5m",
        );
        assert.deepEqual(types("web-outage"), [
            "aws:cloudwatch/logGroup:LogGroup web-outage-logs",
            "aws:cloudwatch/metricAlarm:MetricAlarm web-outage-stop",
            "aws:fis/experimentTemplate:ExperimentTemplate web-outage-template",
            "aws:iam/role:Role web-outage-role",
            "aws:iam/rolePolicy:RolePolicy web-outage-policy",
            "faultline:aws:FisExperimentRun web-outage-run",
            "faultline:aws:FisExperimentTemplate web-outage",
            "pulumi-nodejs:dynamic/faultline:AwsFisExperimentRun web-outage-run-fault",
        ]);
        const run = seen.find((r) => r.name === "web-outage-run-fault")!.inputs;
        assert.equal(run.kind, "aws:fis-experiment-run");
        assert.deepEqual(run.spec, { templateId: "EXTweboutagetem", ttlMs: 600_000, waitForRunning: true, startTimeoutMs: 300_000, stopTimeoutMs: 600_000, pollMs: 5_000 });
    });

    it("a mistake deep in a stack's fault is reported at its path in the config", () => {
        const config = { name: "bad", faults: [{ name: "x", kind: "kubernetes:network-chaos", selector: { namespace: "shop", labels: { app: "api" } }, action: "delay", ttl: "5m" }] };
        assert.throws(() => parseSpec(ExperimentSpec, config, "experiment", "faultline:experiment"), /  - faultline:experiment\.faults\[0\]\.delay: required when action is "delay"/);
    });
});
