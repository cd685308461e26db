import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { REAPER_BUNDLES, reaperBundleSync } from "../../core/bundle";
import { parseArgs } from "../../core/component";
import { Labels } from "../../core/labels";
import { K8sRoles, labelValue, Namespace } from "../meta";

export { THROTTLE_LABEL, THROTTLE_TAINT_KEY } from "../names";

/** What a lease may list, and so what the reaper may delete, by API group. Nodes are patched, never deleted. */
export const REAPER_RULES = [
    { apiGroups: [""], resources: ["configmaps"], verbs: ["list", "get", "delete"] },
    { apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] },
    { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["delete"] },
    { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["delete"] },
    { apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["delete"] },
    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["delete"] },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["delete"] },
    { apiGroups: ["chaos-mesh.org"], resources: ["podchaos", "networkchaos", "stresschaos", "timechaos", "dnschaos", "iochaos"], verbs: ["delete"] },
];

/** Spec of the in-cluster reaper. */
export const ReaperSpec = z
    .object({
        /** Namespace the reaper runs in. It reverts its stack's faults in every namespace. */
        namespace: Namespace,
        /** Image with Node.js (18 or later). Defaults to $FAULTLINE_IMAGE_TOOLS or faultline/tools:1 (scripts/build-images.sh). */
        image: z.string().min(1).optional(),
        /** How often it looks at the leases, in milliseconds. Defaults to 1000, so a fault outlives its ttl by about a second. */
        intervalMs: z.number().int().min(100).max(60_000).default(1000),
    })
    .strict();
export type ReaperSpec = z.infer<typeof ReaperSpec>;

/** Arguments of {@link Reaper}. */
export interface ReaperArgs {
    /** Namespace the reaper runs in. */
    namespace: string;
    /** Image with Node.js. Defaults to $FAULTLINE_IMAGE_TOOLS or "faultline/tools:1". */
    image?: string;
    /** Poll interval in milliseconds. Defaults to 1000. */
    intervalMs?: number;
}

let bundled: string | undefined;
/** reaperMain.ts with the lease code, bundled into one file (core/bundle.ts), once per process. */
export function reaperBundle(): string {
    bundled ??= reaperBundleSync(REAPER_BUNDLES.kubernetes);
    return bundled;
}

/**
 * The in-cluster time-to-live reaper of one stack: an always-running Deployment (one small Node.js pod) that reverts
 * each of the stack's Kubernetes faults within about a second of its deadline, with the same code `destroy` runs
 * (lease.ts), even when every Pulumi process is gone. It tolerates every taint, so a fault that taints its node
 * cannot evict it. The experiment program creates one per stack and makes each fault's lease depend on it, so the
 * reaper runs before any fault goes in.
 *
 * ```ts
 * const reaper = new Reaper("reaper", { namespace: "default" });
 * new PodKill("kill-web", { selector: { namespace: "shop", labels: { app: "web" } }, ttl: "5m" }, { dependsOn: reaper });
 * ```
 */
export class Reaper extends pulumi.ComponentResource {
    static readonly type = "faultline:kubernetes:Reaper";

    /** Namespace it runs in. */
    readonly namespace: string;
    /** Name of its Deployment. */
    readonly deploymentName: string;
    /** The Deployment. */
    readonly deployment: k8s.apps.v1.Deployment;

    constructor(name: string, args: ReaperArgs, opts?: pulumi.ComponentResourceOptions) {
        super(Reaper.type, name, {}, opts);
        const spec = parseArgs(ReaperSpec, args, Reaper.type, name);
        const stack = pulumi.getStack();
        const labels = {
            [Labels.managed]: "true",
            [Labels.project]: labelValue(pulumi.getProject()),
            [Labels.stack]: labelValue(stack),
            [Labels.role]: K8sRoles.reaper,
        };
        // Cluster-scoped RBAC names must not collide between stacks.
        const objName = `faultline-reaper-${labelValue(stack)}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 63);
        const metadata = { name: objName, namespace: spec.namespace, labels };
        const child = { parent: this };
        this.namespace = spec.namespace;
        this.deploymentName = objName;

        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata }, child);
        const role = new k8s.rbac.v1.ClusterRole(`${name}-role`, { metadata: { name: objName, labels }, rules: REAPER_RULES }, child);
        const binding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-binding`,
            {
                metadata: { name: objName, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: objName },
                subjects: [{ kind: "ServiceAccount", name: objName, namespace: spec.namespace }],
            },
            { ...child, dependsOn: [role, account] },
        );
        const program = new k8s.core.v1.ConfigMap(`${name}-program`, { metadata, data: { "reaper.js": reaperBundle() } }, child);
        const podLabels = { [Labels.stack]: labels[Labels.stack], [Labels.role]: K8sRoles.reaper };
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata,
                spec: {
                    replicas: 1,
                    selector: { matchLabels: podLabels },
                    template: {
                        metadata: { labels: { ...labels, ...podLabels } },
                        spec: {
                            serviceAccountName: objName,
                            // A fault that taints or cordons the node must not evict the one thing that reverts it.
                            tolerations: [{ operator: "Exists" }],
                            terminationGracePeriodSeconds: 2,
                            securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [
                                {
                                    name: "reaper",
                                    image: spec.image ?? process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1",
                                    command: ["node", "/reaper/reaper.js"],
                                    env: [
                                        { name: "FAULTLINE_STACK", value: stack },
                                        { name: "FAULTLINE_INTERVAL_MS", value: String(spec.intervalMs) },
                                    ],
                                    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                    volumeMounts: [{ name: "program", mountPath: "/reaper", readOnly: true }],
                                },
                            ],
                            volumes: [{ name: "program", configMap: { name: objName } }],
                        },
                    },
                },
            },
            { ...child, dependsOn: [binding, program] },
        );
        this.registerOutputs({ namespace: this.namespace, deploymentName: this.deploymentName });
    }
}
