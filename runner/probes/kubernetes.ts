import * as fs from "node:fs";
import type { z } from "zod";
import { kubeApi, type KubeApi } from "../../components/kubernetes/kubeApi";
import type { KubernetesProbeSpec } from "../../spec/probe";
import { errorDetail, since, type Probe, type ProbeResult } from "./types";

type Spec = z.output<typeof KubernetesProbeSpec> & { name: string };

/** The fields of a Deployment a probe reads. */
interface Deployment {
    spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
    status?: { readyReplicas?: number; replicas?: number };
}

/** The fields of a Pod a probe reads. */
interface Pod {
    metadata: { name: string; deletionTimestamp?: string };
    status?: {
        phase?: string;
        reason?: string;
        conditions?: Array<{ type: string; status: string; reason?: string }>;
        containerStatuses?: Array<{ restartCount?: number }>;
        initContainerStatuses?: Array<{ restartCount?: number }>;
    };
}

const enc = encodeURIComponent;
const deploymentPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${enc(ns)}/deployments/${enc(name)}`;

/** `app=worker,tier=back`: a label selector as the API takes it and as details show it. */
function labelSelector(labels: Record<string, string>): string {
    return Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}

/** One line on a pod that is not ready: its name and why (phase, reason, or terminating). */
function podState(p: Pod): string {
    if (p.metadata.deletionTimestamp) return `${p.metadata.name} Terminating`;
    const unready = p.status?.conditions?.find((c) => c.type === "Ready" && c.status !== "True");
    const why = p.status?.reason ?? unready?.reason ?? (p.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status !== "True")?.reason);
    return `${p.metadata.name} ${p.status?.phase ?? "Unknown"}${why ? ` (${why})` : ""}`;
}

/** Whether a pod counts as up for `state`. */
function isUp(p: Pod, state: "running" | "ready"): boolean {
    if (p.metadata.deletionTimestamp || p.status?.phase !== "Running") return false;
    return state === "running" || p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/** Sum of container restarts of a pod (init containers included). */
function restartsOf(p: Pod): number {
    const all = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])];
    return all.reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

/** ready-replicas: ready >= minReady, or by default ready >= desired >= 1. */
function judgeDeployment(spec: Spec, d: Deployment): Omit<ProbeResult, "latencyMs"> {
    const ready = d.status?.readyReplicas ?? 0;
    const desired = d.spec?.replicas ?? 1;
    if (spec.minReady !== undefined) {
        return { ok: ready >= spec.minReady, value: ready, detail: `${ready} ready of ${desired} desired (at least ${spec.minReady} required)` };
    }
    if (desired === 0) return { ok: false, value: 0, detail: "0 desired replicas: the Deployment is scaled to zero" };
    return { ok: ready >= desired, value: ready, detail: `${ready} ready of ${desired} desired` };
}

/** restarts or pods-ready over the selected pods (`what` names them in details). */
function judgePods(spec: Spec, pods: Pod[], what: string): Omit<ProbeResult, "latencyMs"> {
    if (pods.length === 0) return { ok: false, value: 0, detail: `no pod matches ${what}` };
    if (spec.check === "restarts") {
        const max = spec.maxRestarts ?? 0;
        const total = pods.reduce((n, p) => n + restartsOf(p), 0);
        const worst = pods.filter((p) => restartsOf(p) > 0).map((p) => `${p.metadata.name} ${restartsOf(p)}`);
        return { ok: total <= max, value: total, detail: `${total} restart(s) over ${pods.length} pod(s) (at most ${max})${worst.length ? `: ${worst.join(", ")}` : ""}` };
    }
    const state = spec.state ?? "ready";
    const minPods = spec.minPods ?? 1;
    const up = pods.filter((p) => isUp(p, state));
    const down = pods.filter((p) => !isUp(p, state)).map(podState);
    const label = state === "ready" ? "Running and Ready" : "Running";
    const problems = [...(down.length ? [`not ${label}: ${down.join(", ")}`] : []), ...(pods.length < minPods ? [`${pods.length} pod(s), at least ${minPods} required`] : [])];
    return { ok: problems.length === 0, value: up.length, detail: `${up.length}/${pods.length} pod(s) ${label}${problems.length ? `; ${problems.join("; ")}` : ""}` };
}

/** The probe's Deployment; a missing one (or a missing namespace) is named as such. */
async function deployment(api: KubeApi, spec: Spec): Promise<Deployment> {
    const d = await api.request<Deployment>("GET", deploymentPath(spec.namespace, spec.deployment!));
    if (!d) throw new Error(`no Deployment "${spec.deployment}" in namespace ${spec.namespace}`);
    return d;
}

/** One reading of the cluster for `spec`, judged. Throws on API errors (the caller turns them into a failed sample). */
async function read(api: KubeApi, spec: Spec): Promise<Omit<ProbeResult, "latencyMs">> {
    const ns = spec.namespace;
    if (spec.check === "ready-replicas") return judgeDeployment(spec, await deployment(api, spec));
    let labels = spec.selector;
    if (!labels) {
        labels = (await deployment(api, spec)).spec?.selector?.matchLabels ?? {};
        if (Object.keys(labels).length === 0) throw new Error(`Deployment ${spec.deployment} selects pods by expressions only; give selector instead`);
    }
    const sel = labelSelector(labels);
    const list = await api.request<{ items: Pod[] }>("GET", `/api/v1/namespaces/${enc(ns)}/pods?labelSelector=${enc(sel)}`);
    return judgePods(spec, list?.items ?? [], `${sel} in namespace ${ns}`);
}

/**
 * A Kubernetes probe: ready replicas of a Deployment, container restarts of pods, or pods Running/Ready. It reads the
 * API with the project's one Kubernetes client (components/kubernetes/kubeApi.ts: the kubeconfig's current context,
 * tokens or client certificates), set up once when the probe is created; each sample is one or two GETs on a
 * kept-alive connection, bounded by the probe's timeout.
 */
export function kubernetesProbe(spec: Spec): Probe {
    let api: KubeApi | undefined;
    let setupError: string | undefined;
    try {
        if (spec.kubeconfig && !fs.existsSync(spec.kubeconfig)) throw new Error(`no file at ${spec.kubeconfig}`);
        api = kubeApi(spec.kubeconfig ? { ...process.env, KUBECONFIG: spec.kubeconfig } : process.env, spec.timeout);
    } catch (err) {
        setupError = `kubeconfig: ${(err as Error).message}`;
    }
    return {
        name: spec.name,
        kind: spec.kind,
        async sample(): Promise<ProbeResult> {
            if (!api) return { ok: false, latencyMs: 0, detail: setupError! };
            const start = performance.now();
            try {
                return { ...(await read(api, spec)), latencyMs: since(start) };
            } catch (err) {
                return { ok: false, latencyMs: since(start), detail: errorDetail(err, spec.timeout) };
            }
        },
        close: () => undefined,
    };
}
