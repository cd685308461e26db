import type * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import { leased } from "../lease";
import { defineKubernetesFault } from "../lib";
import { EXPIRES_AT_ANNOTATION, K8sRoles, keepExpiry, LabelMap, Namespace, objectName } from "../meta";

/** The namespace label every namespace carries since Kubernetes 1.21; used to allow traffic from other namespaces. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Spec of a network partition made of one NetworkPolicy. */
export const NetworkPartitionSpec = z
    .object({
        /** Namespace of the isolated pods (and of the NetworkPolicy). */
        namespace: Namespace,
        /** Labels of the pods to isolate. At least one: an empty selector isolates the whole namespace. */
        podSelector: LabelMap.refine((m) => Object.keys(m).length > 0, {
            message: "give at least one label: an empty podSelector isolates every pod in the namespace",
        }),
        /** Which traffic of the selected pods is cut: `ingress`, `egress` or `both` (default). */
        direction: z.enum(["ingress", "egress", "both"], { error: "must be ingress, egress or both" }).default("both"),
        /**
         * Labels of the peer pods (same namespace) the selected pods are cut off from. Left out: all traffic in
         * `direction` is cut. Given: only traffic with these peers is cut; pods of other namespaces stay reachable.
         */
        peers: LabelMap.refine((m) => Object.keys(m).length > 0, { message: "give at least one label, or leave peers out" }).optional(),
        /** CIDRs outside the cluster that stay reachable when `peers` is given (e.g. ["0.0.0.0/0"]). */
        allowCidrs: z.array(z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, "is not a CIDR such as 10.0.0.0/8")).optional(),
        /** Keep DNS (port 53 to any pod) open in egress, so the isolated pods fail on connect, not on lookup. Default true. */
        allowDns: z.boolean().default(true),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.allowCidrs && !s.peers) {
            ctx.addIssue({ code: "custom", path: ["allowCidrs"], message: "only applies with peers; without peers all traffic in direction is cut" });
        }
    });
export type NetworkPartitionSpec = z.infer<typeof NetworkPartitionSpec>;

type PolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/**
 * The peers NetworkPolicy allows when only `peers` must be cut. NetworkPolicy can only allow, so "everyone but the
 * peers" is written as: pods that differ from the peers in at least one label (one NotIn rule per label, ORed),
 * every other namespace, and the listed outside CIDRs.
 */
function everyoneBut(peers: Record<string, string>, namespace: string, cidrs: string[] | undefined): PolicyPeer[] {
    return [
        ...Object.entries(peers).map(([key, value]) => ({ podSelector: { matchExpressions: [{ key, operator: "NotIn", values: [value] }] } })),
        { namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: [namespace] }] } },
        ...(cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
    ];
}

/** The NetworkPolicy spec for a partition. */
export function partitionPolicySpec(s: NetworkPartitionSpec): k8s.types.input.networking.v1.NetworkPolicySpec {
    const ingress = s.direction !== "egress";
    const egress = s.direction !== "ingress";
    const spec: k8s.types.input.networking.v1.NetworkPolicySpec = {
        podSelector: { matchLabels: s.podSelector },
        policyTypes: [...(ingress ? ["Ingress"] : []), ...(egress ? ["Egress"] : [])],
    };
    const allowed = s.peers ? everyoneBut(s.peers, s.namespace, s.allowCidrs) : undefined;
    if (ingress) spec.ingress = allowed ? [{ from: allowed }] : [];
    if (egress) {
        const dns = { ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] };
        spec.egress = [...(allowed ? [{ to: allowed }] : []), ...(s.allowDns ? [dns] : [])];
    }
    return spec;
}

/**
 * A network partition in Kubernetes: a NetworkPolicy that cuts the ingress and/or egress of the selected pods,
 * from everything or from the `peers` pods only. It needs a CNI that enforces NetworkPolicy (Calico, Cilium…).
 *
 * `pulumi up` creates the policy, `pulumi destroy` deletes it; after `ttl`, the namespace's faultline reaper
 * deletes it on its own (components/kubernetes/reaper/).
 *
 * ```ts
 * new NetworkPartition("web-from-db", { namespace: "shop", podSelector: { app: "web" }, peers: { app: "db" }, ttl: "5m" });
 * ```
 */
export const fault = defineKubernetesFault({
    kind: "kubernetes:network-partition",
    component: "NetworkPartition",
    schema: NetworkPartitionSpec,
    failureClass: "dependency-outage",
    up: "a NetworkPolicy denying ingress and/or egress of selected pods (optionally only from/to `peers`) in a namespace",
    revert: "the stack's in-cluster reaper (a Deployment) deletes it within about a second of expiry",
    module: __filename,
    build: ({ parent, name, spec, lib, metadata, lease: leaseIn }) => {
        const policyName = objectName(name);
        const meta = metadata(K8sRoles.partition);
        const pods = Object.entries(spec.podSelector).map(([k, v]) => `${k}=${v}`).join(",");
        const from = spec.peers ? `pods ${Object.entries(spec.peers).map(([k, v]) => `${k}=${v}`).join(",")}` : "everything";
        const objects = [leased("networking.k8s.io/v1", "networkpolicies", spec.namespace, policyName)];
        const lease = leaseIn(spec.namespace, objects);
        const policy = new lib.k8s.networking.v1.NetworkPolicy(
            `${name}-policy`,
            { metadata: { name: policyName, namespace: spec.namespace, ...meta }, spec: partitionPolicySpec(spec) },
            { parent, deleteBeforeReplace: true, dependsOn: [lease], ...keepExpiry() },
        );
        return {
            /** Namespace of the isolated pods. */
            namespace: spec.namespace,
            /** Name of the NetworkPolicy. */
            policyName,
            /** What this fault breaks, in one sentence (shown by plans and previews). */
            description: `cut ${spec.direction} traffic of pods ${pods} in namespace ${spec.namespace} from ${from}`,
            /** When the reaper deletes the policy (ISO 8601). */
            expiresAt: meta.annotations[EXPIRES_AT_ANNOTATION]!,
            /** The NetworkPolicy. */
            policy,
        };
    },
});
