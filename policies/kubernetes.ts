import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, displayName, isChaosMesh, isManagedNetworkPolicy, isNodeStress } from "./util";
import { parseDuration } from "../spec/units";

/** `NetworkChaos` from `kubernetes:chaos-mesh.org/v1alpha1:NetworkChaos`. */
function kindOf(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/** Configuration of {@link k8sPartitionNamespaces}. */
export interface PartitionNamespacesConfig {
    /** Namespaces in which network partitions may run. */
    allowedNamespaces: string[];
}

const partitionDefaults: PartitionNamespacesConfig = { allowedNamespaces: ["default"] };

/**
 * A partition cuts traffic for a whole namespace's worth of pods when a selector is too wide, so partitions (a
 * faultline NetworkPolicy, a Chaos Mesh NetworkChaos with `action: partition`) run only in namespaces set aside
 * for them.
 */
export const k8sPartitionNamespaces: ResourceValidationPolicy = {
    name: "k8s-partition-namespaces",
    description: "Kubernetes network partitions run only in the allowed namespaces.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Run the partition in one of the allowed namespaces, or add the namespace to `allowedNamespaces` in the policy " +
        "pack config after agreeing it with its owners.",
    configSchema: {
        properties: {
            allowedNamespaces: { type: "array", items: { type: "string" }, default: partitionDefaults.allowedNamespaces },
        },
    },
    validateResource: (args, reportViolation) => {
        const { allowedNamespaces } = configOf(args, partitionDefaults);
        const check = (what: string, ns: string) => {
            if (!allowedNamespaces.includes(ns)) {
                reportViolation(
                    `${what} partitions namespace "${ns}", which is not allowed (allowed: ${allowedNamespaces.join(", ") || "none"}); ` +
                        "move it or add the namespace to allowedNamespaces",
                );
            }
        };
        const own: string = args.props.metadata?.namespace ?? "default";
        if (isManagedNetworkPolicy(args)) {
            check(`NetworkPolicy "${displayName(args)}"`, own);
        } else if (args.type.endsWith(":NetworkChaos") && isChaosMesh(args) && args.props.spec?.action === "partition") {
            const what = `NetworkChaos "${displayName(args)}"`;
            const namespaces = new Set<string>();
            for (const sel of [args.props.spec.selector, args.props.spec.target?.selector]) {
                if (sel === undefined) continue;
                for (const ns of sel.namespaces?.length ? sel.namespaces : [own]) namespaces.add(ns);
            }
            for (const ns of namespaces) check(what, ns);
        }
    },
};

/** A Chaos Mesh resource without `spec.duration` stays in until someone deletes it. */
export const chaosMeshDuration: ResourceValidationPolicy = {
    name: "chaos-mesh-duration",
    description: "Chaos Mesh resources have a spec.duration.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: 'Set `spec.duration` (a Go duration such as "30s", "5m" or "1h") on the Chaos Mesh resource.',
    validateResource: (args, reportViolation) => {
        if (!isChaosMesh(args)) return;
        const what = `${kindOf(args.type)} "${displayName(args)}"`;
        const duration = args.props.spec?.duration;
        if (duration === undefined || duration === "") {
            reportViolation(`${what} has no spec.duration, so it stays in until deleted; set spec.duration (e.g. "5m")`);
        } else if (typeof duration !== "string" || parseDuration(duration) === undefined) {
            reportViolation(`${what} has spec.duration "${duration}", which is not a duration; write it like "30s", "5m" or "1h"`);
        }
    },
};

/**
 * A node-stress DaemonSet without limits can starve the node's kubelet and take the node down rather than slow
 * it; without a node selector it stresses every node of the cluster.
 */
export const nodeStressLimits: ResourceValidationPolicy = {
    name: "node-stress-limits",
    description: "Node-throttling DaemonSets have CPU and memory limits on every container and a node selector.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set `resources.limits.cpu` and `resources.limits.memory` on every container of the DaemonSet, and a " +
        "`spec.template.spec.nodeSelector` that picks only the nodes to stress.",
    validateResource: (args, reportViolation) => {
        if (!isNodeStress(args)) return;
        const what = `DaemonSet "${displayName(args)}"`;
        const pod = args.props.spec?.template?.spec ?? {};
        for (const c of (pod.containers ?? []) as { name?: string; resources?: { limits?: Record<string, string> } }[]) {
            for (const r of ["cpu", "memory"]) {
                if (!c.resources?.limits?.[r]) {
                    reportViolation(`${what} container "${c.name}" has no resources.limits.${r}; set cpu and memory limits so the stress cannot starve the node`);
                }
            }
        }
        if (!pod.nodeSelector || Object.keys(pod.nodeSelector).length === 0) {
            reportViolation(`${what} has no spec.template.spec.nodeSelector, so it runs on every node; select the nodes to stress`);
        }
    },
};
