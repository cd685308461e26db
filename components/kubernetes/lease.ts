import { overallOutcome, type RevertOutcome } from "../core/driver";
import { Labels, ownerLabels, type FaultOwner } from "../core/labels";
import { objectPath, type KubeApi } from "./kubeApi";
import { EXPIRES_LABEL, labelValue, objectName } from "./names";
import { OPT_IN_LABEL, OPT_IN_VALUE } from "../../spec/optIn";

/**
 * A Kubernetes fault's lease: its revert record, stored in the cluster on a labelled ConfigMap BEFORE any of the
 * fault's objects exist, so the in-cluster reaper knows the fault whatever happens to the process that injects it.
 * The same {@link revertLease} undoes the fault in every place: the lease resource's delete (`pulumi destroy`, which
 * runs after the provider deleted the fault's objects), the reaper at the deadline, and `recover`.
 *
 * Kept free of @pulumi/pulumi: the reaper's pod runs this file, bundled.
 */

/** An object a fault creates, as the API names it. */
export interface ObjectRef {
    apiVersion: string;
    /** The resource's plural (`networkpolicies`), as in the API path. */
    plural: string;
    namespace?: string;
    name: string;
}

/** A node taint. */
export interface Taint {
    key: string;
    value?: string;
    effect: string;
}

/** What a fault does to one node, and what the node looked like before. */
export interface NodeChange {
    node: string;
    /** The taint the fault adds, if any. */
    taint?: Taint;
    /** Whether the fault cordons the node. */
    cordon: boolean;
    /** Label and annotation keys the fault adds (removed on revert). */
    labels: string[];
    annotations: string[];
    /** The node before the fault: its own taints (without the fault's) and whether it was already cordoned. */
    before: { unschedulable: boolean; taints: Taint[] };
}

/** Everything needed to undo one Kubernetes fault. Plain JSON. */
export interface LeaseRecord {
    owner: FaultOwner;
    /** When the reaper reverts it, in epoch milliseconds. */
    expiresAt: number;
    /** Objects to delete. */
    objects: ObjectRef[];
    /** Nodes to restore. */
    nodes: NodeChange[];
}

/** The data key of the lease ConfigMap that holds the record. */
export const LEASE_KEY = "record.json";
/** Role label value of a lease ConfigMap. */
export const LEASE_ROLE = "lease";
/** Field manager of the lease's own writes, so `kubectl get --show-managed-fields` names who changed a node. */
export const FIELD_MANAGER = "faultline";

/** Where a fault's lease lives. */
export function leaseRef(namespace: string, fault: string): ObjectRef {
    return { apiVersion: "v1", plural: "configmaps", namespace, name: objectName(fault, "lease") };
}

/** The labels a lease carries: owner, role, expiry in epoch seconds (what `kubectl get -l` and the reaper select). */
export function leaseLabels(owner: FaultOwner, expiresAt: number): Record<string, string> {
    const labels = Object.fromEntries(Object.entries(ownerLabels(owner)).map(([k, v]) => [k, labelValue(v)]));
    return { ...labels, [Labels.role]: LEASE_ROLE, [EXPIRES_LABEL]: String(Math.floor(expiresAt / 1000)) };
}

/** Label selector of the leases of one stack (all stacks when `stack` is undefined). */
export function leaseSelector(stack?: string): string {
    return [`${Labels.managed}=true`, `${Labels.role}=${LEASE_ROLE}`, ...(stack ? [`${Labels.stack}=${labelValue(stack)}`] : [])].join(",");
}

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect && (a.value ?? "") === (b.value ?? "");

/**
 * Reads each node as it is now, minus what the fault itself would add: the `before` of its {@link NodeChange}.
 * A node its owners did not opt in (the label chaos.opt-in=true) is refused before anything changes, unless the
 * experiment opted out with `allowUnlabelledTargets: true`.
 */
export async function nodesBefore(api: KubeApi, nodes: Omit<NodeChange, "before">[], allowUnlabelled = false): Promise<NodeChange[]> {
    return Promise.all(
        nodes.map(async (n) => {
            const node = await api.request("GET", objectPath({ apiVersion: "v1", plural: "nodes", name: n.node }));
            if (!node) throw new Error(`node "${n.node}" does not exist; check the nodes field (kubectl get nodes)`);
            if (!allowUnlabelled && node.metadata?.labels?.[OPT_IN_LABEL] !== OPT_IN_VALUE) {
                throw new Error(
                    `node "${n.node}" is not opted in to faults: it lacks the label ${OPT_IN_LABEL}=${OPT_IN_VALUE}; ` +
                        `add it (kubectl label node ${n.node} ${OPT_IN_LABEL}=${OPT_IN_VALUE}), or opt this experiment out with allowUnlabelledTargets: true`,
                );
            }
            const taints: Taint[] = (node.spec?.taints ?? []).filter((t: Taint) => !(n.taint && sameTaint(t, n.taint)));
            return { ...n, before: { unschedulable: node.spec?.unschedulable === true, taints } };
        }),
    );
}

/**
 * Arms a fault: writes its lease (create, or replace an older one of the same fault). Nothing of the fault exists
 * yet when this runs; afterwards the reaper knows it.
 */
export async function armLease(api: KubeApi, namespace: string, record: LeaseRecord): Promise<ObjectRef> {
    const ref = leaseRef(namespace, record.owner.fault);
    const body = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: ref.name, namespace, labels: leaseLabels(record.owner, record.expiresAt) },
        data: { [LEASE_KEY]: JSON.stringify(record) },
    };
    await api.request("PATCH", `${objectPath(ref)}?fieldManager=${FIELD_MANAGER}&force=true`, body, "application/apply-patch+yaml");
    return ref;
}

/** Restores one node from its change record. Idempotent. */
async function revertNode(api: KubeApi, n: NodeChange): Promise<RevertOutcome> {
    const p = objectPath({ apiVersion: "v1", plural: "nodes", name: n.node });
    const node = await api.request("GET", p);
    if (!node) return "target-gone";
    const taints: Taint[] = node.spec?.taints ?? [];
    const labels: Record<string, string> = node.metadata?.labels ?? {};
    const annotations: Record<string, string> = node.metadata?.annotations ?? {};
    // Taints are one atomic list: a forced apply took it over, and `destroy` of the patch removed it whole. Put back
    // what the node had before, keep what others added since, drop the fault's own.
    const kept = taints.filter((t) => !(n.taint && sameTaint(t, n.taint)));
    const restored = [...kept, ...n.before.taints.filter((b) => !kept.some((t) => sameTaint(t, b)))];
    const uncordon = n.cordon && !n.before.unschedulable && node.spec?.unschedulable === true;
    const dropLabels = n.labels.filter((k) => k in labels);
    const dropAnnotations = n.annotations.filter((k) => k in annotations);
    const taintsChanged = restored.length !== taints.length || restored.some((t) => !taints.some((x) => sameTaint(t, x)));
    if (!uncordon && !taintsChanged && dropLabels.length === 0 && dropAnnotations.length === 0) return "already-reverted";
    const patch = {
        metadata: {
            labels: Object.fromEntries(dropLabels.map((k) => [k, null])),
            annotations: Object.fromEntries(dropAnnotations.map((k) => [k, null])),
            // Optimistic concurrency: a node changed meanwhile fails this patch, and the caller tries again.
            resourceVersion: node.metadata.resourceVersion,
        },
        spec: { ...(taintsChanged ? { taints: restored.length ? restored : null } : {}), ...(uncordon ? { unschedulable: null } : {}) },
    };
    await api.request("PATCH", `${p}?fieldManager=${FIELD_MANAGER}`, patch, "application/merge-patch+json");
    return "reverted";
}

/** Deletes one object; "already-reverted" when it was gone. */
async function deleteObject(api: KubeApi, ref: ObjectRef): Promise<RevertOutcome> {
    const gone = await api.request("DELETE", objectPath(ref), { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" });
    return gone ? "reverted" : "already-reverted";
}

/**
 * Undoes the fault of `record`: deletes its objects, restores its nodes, then releases its lease. Idempotent:
 * undoing what is already undone (by `destroy`, by the reaper, by hand) is a no-op. A node patch that races with
 * another writer is retried (up to 5 times).
 */
export async function revertLease(api: KubeApi, namespace: string, record: LeaseRecord): Promise<RevertOutcome> {
    const outcomes: RevertOutcome[] = [];
    for (const ref of record.objects) outcomes.push(await deleteObject(api, ref));
    for (const n of record.nodes) {
        for (let attempt = 1; ; attempt++) {
            try {
                outcomes.push(await revertNode(api, n));
                break;
            } catch (err) {
                if (attempt >= 5 || !/409/.test(String(err))) throw err;
            }
        }
    }
    await api.request("DELETE", objectPath(leaseRef(namespace, record.owner.fault)));
    return overallOutcome(outcomes);
}

/** A lease as found in the cluster. */
export interface FoundLease {
    namespace: string;
    name: string;
    record: LeaseRecord;
}

/** Every lease of `stack` (every stack when undefined), in all namespaces. */
export async function listLeases(api: KubeApi, stack?: string): Promise<FoundLease[]> {
    const list = await api.request("GET", `/api/v1/configmaps?labelSelector=${encodeURIComponent(leaseSelector(stack))}`);
    return (list?.items ?? []).flatMap((cm: any) => {
        try {
            return [{ namespace: cm.metadata.namespace, name: cm.metadata.name, record: JSON.parse(cm.data[LEASE_KEY]) as LeaseRecord }];
        } catch {
            return [];
        }
    });
}

/** The API reference of a namespaced object a fault creates, for its lease. */
export function leased(apiVersion: string, plural: string, namespace: string, name: string): ObjectRef {
    return { apiVersion, plural, namespace, name };
}
