import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Labels, type FaultOwner } from "../../core/labels";
import { leased } from "../lease";
import { defineKubernetesFault, type KubernetesLib } from "../lib";
import { EXPIRES_AT_ANNOTATION, EXPIRES_LABEL, type FaultMetadata, K8sRoles, keepExpiry, labelValue, Namespace, objectName, withoutExpiry } from "../meta";
import { THROTTLE_LABEL, THROTTLE_TAINT_KEY } from "../names";
import { OPT_IN_LABEL, OPT_IN_VALUE } from "../../../spec/optIn";

const Quantity = z.string().regex(/^\d+(\.\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/, 'is not a Kubernetes quantity; write it like "500m", "1", "256Mi"');

/** Spec of a throttled-node fault. */
export const NodeThrottleSpec = z
    .object({
        /** Names of the nodes to throttle (`kubectl get nodes`). */
        nodes: z
            .array(z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "is not a node name"), { error: "required: the names of the nodes to throttle" })
            .min(1, "give at least one node name"),
        /** Mark the nodes unschedulable (`kubectl cordon`). Defaults to true. */
        cordon: z.boolean().default(true),
        /**
         * Taint the nodes with `dev.faultline.throttled=<fault>:<effect>`. Defaults to NoSchedule; `false` for no taint.
         * NoExecute evicts running pods and needs `allowEviction: true`.
         */
        taint: z
            .union([z.literal(false), z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"], { error: "must be NoSchedule, PreferNoSchedule, NoExecute or false" })])
            .default("NoSchedule"),
        /** Must be true for taint NoExecute. */
        allowEviction: z.boolean().optional(),
        /**
         * Take the fields over from other managers (the `pulumi.com/patchForce` annotation). Node taints are an atomic
         * list: when the node already has taints, the patch keeps them and is forced on its own, and the fault's lease
         * restores them exactly on revert. Defaults to false.
         */
        force: z.boolean().default(false),
        /** Load the nodes with a stress DaemonSet pinned to them. */
        stress: z
            .object({
                /** Namespace of the DaemonSet. */
                namespace: Namespace,
                /** CPU stressors and their load (1-100, default 100). */
                cpu: z.object({ workers: z.number().int().positive(), load: z.number().int().min(1).max(100).optional() }).strict().optional(),
                /** Memory stressors and the bytes they hold together ("256M", "1G"; stress-ng notation). */
                memory: z.object({ workers: z.number().int().positive(), size: z.string().regex(/^\d+[KMG]?$/, 'write it like "256M" or "1G"') }).strict().optional(),
                /** Limits (and equal requests) of the stress container: the most it may take from each node. Required. */
                limits: z.object({ cpu: Quantity, memory: Quantity }, { error: 'required: limits.cpu and limits.memory, e.g. { cpu: "1", memory: "512Mi" }' }).strict(),
                /** Image with `sh` and `stress-ng`. Defaults to $FAULTLINE_IMAGE_STRESS or ghcr.io/colinianking/stress-ng:latest. */
                image: z.string().min(1).optional(),
            })
            .strict()
            .superRefine((s, ctx) => {
                if (!s.cpu && !s.memory) ctx.addIssue({ code: "custom", message: "give cpu, memory or both: there is nothing to stress" });
            })
            .optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.taint === "NoExecute" && s.allowEviction !== true) {
            ctx.addIssue({ code: "custom", path: ["allowEviction"], message: "taint NoExecute evicts every running pod without a toleration; set allowEviction: true to confirm" });
        }
        if (!s.cordon && s.taint === false && !s.stress) {
            ctx.addIssue({ code: "custom", message: "nothing to do: set cordon, taint or stress" });
        }
    });
export type NodeThrottleSpec = z.infer<typeof NodeThrottleSpec>;

/** The stress container's command: stress-ng until the fault's expiry, then idle, so a restart never extends it. */
function stressCommand(s: NonNullable<NodeThrottleSpec["stress"]>): string {
    const args = [
        ...(s.cpu ? [`--cpu ${s.cpu.workers}`, `--cpu-load ${s.cpu.load ?? 100}`] : []),
        ...(s.memory ? [`--vm ${s.memory.workers}`, `--vm-bytes ${s.memory.size}`] : []),
    ].join(" ");
    return [
        'left=$(( FAULTLINE_EXPIRES - $(date +%s) ))',
        `if [ "$left" -gt 0 ]; then stress-ng ${args} --timeout "\${left}s" --metrics-brief --temp-path /tmp; fi`,
        'echo "faultline: stress over; idling until the DaemonSet is deleted"',
        "while true; do sleep 3600; done",
    ].join("\n");
}

/** The NodePatches: cordon and taint each node, keeping its own taints (read into the lease before anything changes). */
function nodePatches(lib: KubernetesLib, parent: pulumi.Resource, name: string, spec: NodeThrottleSpec, p: { lease: ReturnType<KubernetesLib["leaseFor"]>; nodeMeta: FaultMetadata; nodeLabels: Record<string, string>; taint: k8s.types.input.core.v1.Taint | undefined }): k8s.core.v1.NodePatch[] {
    const { lease, nodeMeta, nodeLabels, taint } = p;
    return spec.nodes.map((node, i) => {
        const before = lease.record.apply((r) => r.nodes[i]!.before);
        // Taints are one atomic list: the patch keeps the node's own taints, and must then take the list over
        // from their manager (forced). The lease restores them when the patch goes.
        const annotations = before.apply((b) => ({
            ...nodeMeta.annotations,
            ...(spec.force || (taint && b.taints.length > 0) ? { "pulumi.com/patchForce": "true" } : {}),
        }));
        return new lib.k8s.core.v1.NodePatch(
            `${name}-${node}`,
            {
                metadata: { name: node, labels: nodeLabels, annotations },
                spec: {
                    ...(spec.cordon ? { unschedulable: true } : {}),
                    ...(taint ? { taints: before.apply((b) => [...b.taints, taint]) } : {}),
                },
            },
            { parent, dependsOn: [lease], ...keepExpiry() },
        );
    });
}

/** The stress DaemonSet, pinned to the throttled nodes by their label, with limits; stress-ng stops at the expiry. */
function stressDaemonSet(lib: KubernetesLib, parent: pulumi.Resource, name: string, s: NonNullable<NodeThrottleSpec["stress"]>, p: { owner: FaultOwner; meta: FaultMetadata; pin: string; stressName: string; patches: pulumi.Resource[] }): k8s.apps.v1.DaemonSet {
    const { owner, meta, pin, stressName, patches } = p;
    // The selector is immutable and must not contain the expiry: fault name and role identify the pods.
    const podLabels = { [Labels.fault]: meta.labels[Labels.fault]!, [Labels.role]: K8sRoles.nodeStress };
    const expires = meta.labels[EXPIRES_LABEL]!;
    return new lib.k8s.apps.v1.DaemonSet(
        `${name}-stress`,
        {
            metadata: { name: stressName, namespace: s.namespace, ...meta },
            spec: {
                selector: { matchLabels: podLabels },
                template: {
                    metadata: { labels: { ...withoutExpiry(meta.labels), ...podLabels } },
                    spec: {
                        // Only nodes their owners opted in (the lease refuses the others before anything
                        // changes); the pack's opt-in-targets checks this selector. An experiment that opted
                        // out with allowUnlabelledTargets stresses its nodes whatever their labels.
                        nodeSelector: { ...(owner.allowUnlabelledTargets ? {} : { [OPT_IN_LABEL]: OPT_IN_VALUE }), [THROTTLE_LABEL]: pin },
                        // The pods must land on the nodes this fault cordoned and tainted.
                        tolerations: [{ key: THROTTLE_TAINT_KEY, operator: "Exists" }],
                        terminationGracePeriodSeconds: 5,
                        securityContext: { runAsNonRoot: true, runAsUser: 65534 },
                        containers: [
                            {
                                name: "stress",
                                image: s.image ?? process.env.FAULTLINE_IMAGE_STRESS ?? "ghcr.io/colinianking/stress-ng:latest",
                                command: ["/bin/sh", "-c", stressCommand(s)],
                                env: [{ name: "FAULTLINE_EXPIRES", value: expires }],
                                resources: { limits: s.limits, requests: s.limits },
                                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                            },
                        ],
                    },
                },
            },
        },
        {
            parent,
            deleteBeforeReplace: true,
            dependsOn: patches,
            // The deadline in the container's environment is fixed at creation, like the expiry label.
            ignoreChanges: [...keepExpiry().ignoreChanges!, "spec.template.spec.containers[0].env"],
        },
    );
}

/**
 * Throttled nodes: cordon and taint the nodes through NodePatches (server-side apply, so `destroy` removes exactly
 * the fields this fault set), and/or load them with a stress-ng DaemonSet pinned to them by a node label, with
 * resource limits. Every object carries the fault's labels and expiry; the reaper (created with `nodes: true`)
 * uncordons and untaints expired nodes and deletes the DaemonSet, and stress-ng itself stops at the expiry.
 *
 * ```ts
 * new NodeThrottle("slow-node", {
 *     nodes: ["worker-2"], taint: "NoSchedule",
 *     stress: { namespace: "chaos", cpu: { workers: 2, load: 90 }, limits: { cpu: "2", memory: "256Mi" } },
 *     ttl: "10m",
 * });
 * ```
 */
export const fault = defineKubernetesFault({
    kind: "kubernetes:node-throttle",
    component: "NodeThrottle",
    schema: NodeThrottleSpec,
    failureClass: "resource-pressure",
    up: "NodePatches that cordon, taint and label nodes, and/or a stress-ng DaemonSet pinned by nodeSelector with limits set",
    revert: "reaper restores the node exactly (its own taints too) and deletes the DaemonSet; stress-ng stops itself",
    module: __filename,
    build: ({ parent, name, spec, owner, lib, metadata, lease: leaseIn }) => {
        const nodeMeta = metadata(K8sRoles.nodeThrottle);
        const pin = labelValue(name);

        const what = [
            spec.cordon ? "cordon" : "",
            spec.taint ? `taint ${THROTTLE_TAINT_KEY}=${pin}:${spec.taint}` : "",
            spec.stress ? `stress (${[spec.stress.cpu ? `${spec.stress.cpu.workers} CPU worker(s)` : "", spec.stress.memory ? `${spec.stress.memory.size} memory` : ""].filter(Boolean).join(", ")}; limits cpu ${spec.stress.limits.cpu}, memory ${spec.stress.limits.memory})` : "",
        ].filter(Boolean);

        const taint = spec.taint ? { key: THROTTLE_TAINT_KEY, value: pin, effect: spec.taint } : undefined;
        const nodeLabels = { ...nodeMeta.labels, [THROTTLE_LABEL]: pin };
        const stressName = objectName(name, "stress");
        // The lease goes in first: the reaper knows the fault, and the node as it was, before anything changes.
        const lease = leaseIn(
            spec.stress?.namespace ?? "default",
            spec.stress ? [leased("apps/v1", "daemonsets", spec.stress.namespace, stressName)] : [],
            spec.nodes.map((node) => ({
                node,
                ...(taint ? { taint } : {}),
                cordon: spec.cordon,
                labels: Object.keys(nodeLabels),
                annotations: [...Object.keys(nodeMeta.annotations), "pulumi.com/patchForce"],
            })),
        );
        const patches = nodePatches(lib, parent, name, spec, { lease, nodeMeta, nodeLabels, taint });
        const daemonSet = spec.stress ? stressDaemonSet(lib, parent, name, spec.stress, { owner, meta: metadata(K8sRoles.nodeStress), pin, stressName, patches }) : undefined;
        return {
            /** The nodes throttled. */
            nodes: spec.nodes,
            /** What this fault breaks, in one sentence (shown by plans and previews). */
            description: `${what.join(", ")} on node(s) ${spec.nodes.join(", ")}`,
            /** When the reaper reverts the fault (ISO 8601). */
            expiresAt: nodeMeta.annotations[EXPIRES_AT_ANNOTATION]!,
            /** One NodePatch per node. */
            patches,
            /** The stress DaemonSet, when `stress` is set. */
            ...(daemonSet ? { daemonSet } : {}),
        };
    },
});
