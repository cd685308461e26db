// Helpers of the Kubernetes tier: the local cluster `npm run cluster:up` started (scripts/cluster.sh), kubectl on it,
// stacks that run against it, and a SIGKILL of a whole `pulumi up` process tree.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../../runner/env";
import { openStack, removeStack, repairKilledCheckpoint } from "../../runner/pulumi";
import { upThenKillTree as killTree } from "../helpers/killTree";
import { waitFor } from "../helpers/wait";

/** The local cluster's kubeconfig, written by scripts/cluster.sh. */
export const KUBECONFIG = path.join(PROJECT_ROOT, ".faultline", "cluster", "kubeconfig");
/** The local cluster's only node. */
export const NODE = process.env.FAULTLINE_NODE_NAME ?? "faultline-node";
const CACHE = process.env.FAULTLINE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "faultline");
const KUBECTL = path.join(CACHE, `k8s-v${process.env.FAULTLINE_K8S_VERSION ?? "1.34.4"}`, "bin", "kubectl");

/** manifests/crd.yaml of Chaos Mesh's Go module, at the version scripts/setup-k8s.sh caches. */
export const CHAOS_MESH_CRDS = path.join(CACHE, `chaos-mesh-${process.env.FAULTLINE_CHAOS_MESH_REF ?? "v0.9.1-0.20260902003049-47411975a8cb"}`, "crd.yaml");

/** Why the tier cannot run here (no local cluster up), or undefined when it can. */
export function whyNoCluster(): string | undefined {
    if (!existsSync(KUBECONFIG)) return `no local cluster: run npm run cluster:up (${KUBECONFIG} is missing)`;
    if (kubectl(["get", "--raw", "/readyz"]).status !== 0) return "the local cluster does not answer: run npm run cluster:up";
    return undefined;
}

/** Runs kubectl on the local cluster. Never throws: check `status`. */
export function kubectl(args: string[], input?: string): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(KUBECTL, ["--kubeconfig", KUBECONFIG, ...args], { input, encoding: "utf8", timeout: 60_000 });
    return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error ?? "") };
}

/** kubectl that throws with stderr on failure and parses `-o json` output. */
export function kjson(args: string[]): any {
    const r = kubectl([...args, "-o", "json"]);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return JSON.parse(r.stdout);
}

/** kubectl that throws with stderr on failure. */
export function kok(args: string[], input?: string): string {
    const r = kubectl(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
}

/** A short id for one test run: names its namespace (flt-test-<id>) and stacks (test-k8s-...-<id>). */
export function runId(): string {
    return Math.random().toString(36).slice(2, 8);
}

/** Images the cluster has (moved from Docker by cluster.sh), for the faults' and tests' pods. */
export const IMAGES = {
    busybox: process.env.FAULTLINE_IMAGE_BUSYBOX ?? "faultline/busybox:1",
    tools: process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1",
    kubectl: process.env.FAULTLINE_IMAGE_KUBECTL ?? "faultline/kubectl:1",
};

/** Environment of the stacks of this tier: the local cluster and its images. */
export const clusterEnv = (): Record<string, string> => ({
    KUBECONFIG,
    FAULTLINE_IMAGE_STRESS: IMAGES.tools,
    FAULTLINE_IMAGE_KUBECTL: IMAGES.kubectl,
    FAULTLINE_IMAGE_TOOLS: IMAGES.tools,
});

/** Opens a stack of the project's program with `experiment` against the local cluster. */
export function clusterStack(name: string, experiment: unknown): Promise<Stack> {
    return openStack(name, { experiment, envVars: clusterEnv() });
}

/** Destroys and removes a stack, whatever state a killed `up` left it in. */
export async function dropStack(stack: Stack): Promise<void> {
    await stack.cancel().catch(() => undefined);
    repairKilledCheckpoint(stack.name);
    await stack.refresh({ clearPendingCreates: true } as never).catch(() => undefined);
    await stack.destroy().catch(() => undefined);
    await removeStack(stack).catch(() => undefined);
}

/**
 * A namespace with a Deployment of `replicas` busybox pods labelled app=<app>, all Running. They sleep, or run
 * `command` (a shell script) when given.
 */
export async function deployApp(namespace: string, app: string, replicas: number, command?: string): Promise<void> {
    kok(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "dev.faultline.test": "true" } } }));
    const deployment = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: app, namespace },
        spec: {
            replicas,
            selector: { matchLabels: { app } },
            template: {
                metadata: { labels: { app } },
                spec: {
                    terminationGracePeriodSeconds: 0,
                    containers: [{ name: app, image: IMAGES.busybox, command: command ? ["sh", "-c", command] : ["sleep", "3600"] }],
                },
            },
        },
    };
    kok(["apply", "-f", "-"], JSON.stringify(deployment));
    await waitFor(`${replicas} pods of ${app} Running`, async () => runningPods(namespace, app).length === replicas, 60_000);
}

/** Names of the Running pods of app=<app> (not being deleted). */
export function runningPods(namespace: string, app: string): string[] {
    return kjson(["get", "pods", "-n", namespace, "-l", `app=${app}`])
        .items.filter((p: any) => p.status.phase === "Running" && !p.metadata.deletionTimestamp)
        .map((p: any) => p.metadata.name as string);
}

/** Phases of the pods of app=<app> that are not being deleted. */
export function podPhases(namespace: string, app: string): string[] {
    return kjson(["get", "pods", "-n", namespace, "-l", `app=${app}`])
        .items.filter((p: any) => !p.metadata.deletionTimestamp)
        .map((p: any) => p.status.phase as string)
        .sort();
}

/**
 * Cores used on the node by the cgroup at `cgroup` under the kubelet's pods cgroup (cgroup v1 cpuacct, cgroupfs
 * driver), averaged over `ms`: "" is every pod, `pod<uid>` one Guaranteed pod, `besteffort/pod<uid>` a BestEffort one.
 */
export async function cores(cgroup: string, ms = 3000): Promise<number> {
    const read = () => Number(readFileSync(`/sys/fs/cgroup/cpuacct/kubepods/${cgroup}/cpuacct.usage`, "utf8")) / 1e9;
    const a = read();
    await new Promise((r) => setTimeout(r, ms));
    return (read() - a) / (ms / 1000);
}

/** The node's taints, cordon and labels: what a node fault changes and `destroy` must restore exactly. */
export function nodeState(node = NODE): { taints: unknown[]; unschedulable: boolean; labels: Record<string, string> } {
    const n = kjson(["get", "node", node]);
    return { taints: n.spec.taints ?? [], unschedulable: n.spec.unschedulable === true, labels: n.metadata.labels };
}

/**
 * Runs `pulumi up` on `stack` against the local cluster, waits until `ready()` is true, then SIGKILLs every process
 * of its tree at once (test/helpers/killTree.ts: the CLI, the language host, the program and every provider plugin),
 * as a crashed machine would. Returns the moment of the kill.
 */
export async function upThenKillTree(stack: string, ready: () => Promise<boolean>, timeoutMs = 240_000): Promise<number> {
    return (await killTree(stack, { whenSeen: ready }, timeoutMs, clusterEnv())).killedAt;
}
