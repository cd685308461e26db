import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseArgs } from "../core/component";
import { Labels } from "../core/labels";
import { EXPIRES_AT_ANNOTATION, EXPIRES_LABEL, K8sRoles, KIND_ANNOTATION, labelValue, Namespace } from "./meta";

/** The label NodeThrottle puts on its nodes so its stress DaemonSet lands exactly there. */
export const THROTTLE_LABEL = `dev.faultline.throttle`;
/** The taint key NodeThrottle uses; fixed, so the reaper can remove it without knowing the fault. */
export const THROTTLE_TAINT_KEY = "dev.faultline.throttled";

/** Namespaced kinds a fault may leave, as `kubectl get` resource names (group-qualified, so no CRD shadows them). */
export const REAPED_RESOURCES = [
    "networkpolicies.networking.k8s.io",
    "daemonsets.apps",
    "jobs.batch",
    "rolebindings.rbac.authorization.k8s.io",
    "roles.rbac.authorization.k8s.io",
    "serviceaccounts",
] as const;
/** The Chaos Mesh kinds faultline declares. */
export const REAPED_CHAOS_RESOURCES = ["podchaos", "networkchaos", "stresschaos", "timechaos", "dnschaos", "iochaos"].map(
    (r) => `${r}.chaos-mesh.org`,
);

/**
 * The reaper's script (POSIX sh + kubectl). Every run lists the objects labelled `dev.faultline.managed=true` that
 * carry an expiry label, deletes those whose expiry (epoch seconds) has passed, and, when node faults are enabled,
 * uncordons expired nodes and removes the taint and labels faultline put on them. Configured by environment:
 * FAULTLINE_NAMESPACE, FAULTLINE_RESOURCES (space-separated), FAULTLINE_NODES ("true"/"false").
 */
export function reaperScript(): string {
    const sel = `${Labels.managed}=true,${EXPIRES_LABEL}`;
    const expiresPath = `{.metadata.labels.${EXPIRES_LABEL.replace(/\./g, "\\.")}}`;
    const jsonpath = `{range .items[*]}{.metadata.name}{" "}${expiresPath}{"\\n"}{end}`;
    const nodeLabels = [Labels.managed, Labels.project, Labels.stack, Labels.experiment, Labels.fault, Labels.kind, Labels.role, EXPIRES_LABEL, THROTTLE_LABEL];
    return `set -u
now=$(date +%s)
status=0
reap() { # $1: resource, $2: extra kubectl flags; prints "name expiry" lines of expired objects
  out=$(kubectl get "$1" $2 -l '${sel}' -o jsonpath='${jsonpath}' 2>&1) || { echo "faultline-reaper: cannot list $1: $out" >&2; return 1; }
  printf '%s\\n' "$out" | while read -r name exp; do
    [ -n "$name" ] && [ -n "$exp" ] && [ "$exp" -le "$now" ] && echo "$name $exp"
  done
  return 0
}
for r in $FAULTLINE_RESOURCES; do
  expired=$(reap "$r" "-n $FAULTLINE_NAMESPACE") || { status=1; continue; }
  for name in $(printf '%s\\n' "$expired" | cut -d' ' -f1); do
    echo "faultline-reaper: $r/$name in $FAULTLINE_NAMESPACE expired; deleting"
    kubectl delete "$r" "$name" -n "$FAULTLINE_NAMESPACE" --ignore-not-found --wait=false || status=1
  done
done
if [ "\${FAULTLINE_NODES:-false}" = "true" ]; then
  expired=$(reap nodes "") || status=1
  for name in $(printf '%s\\n' "$expired" | cut -d' ' -f1); do
    echo "faultline-reaper: node $name expired; uncordoning and removing the faultline taint and labels"
    kubectl uncordon "$name" || status=1
    kubectl taint nodes "$name" ${THROTTLE_TAINT_KEY}- 2>/dev/null || true
    kubectl annotate nodes "$name" ${EXPIRES_AT_ANNOTATION}- ${KIND_ANNOTATION}- >/dev/null || status=1
    kubectl label nodes "$name" ${nodeLabels.map((l) => `${l}-`).join(" ")} >/dev/null || status=1
  done
fi
exit $status
`;
}

/** Spec of the in-cluster reaper. */
export const ReaperSpec = z
    .object({
        /** Namespace the reaper watches and runs in. One reaper per namespace per stack. */
        namespace: Namespace,
        /** Also reap nodes (NodeThrottle): needs a ClusterRole on nodes (get, list, patch). Defaults to false. */
        nodes: z.boolean().default(false),
        /** Also reap Chaos Mesh objects: needs their CRDs installed. Defaults to false. */
        chaosMesh: z.boolean().default(false),
        /** Cron schedule. Defaults to every minute, so a fault outlives its ttl by at most about a minute. */
        schedule: z.string().min(1).default("* * * * *"),
        /** Image with `sh` and `kubectl`. Defaults to $FAULTLINE_IMAGE_KUBECTL or bitnami/kubectl:latest; pin it. */
        image: z.string().min(1).optional(),
    })
    .strict();
export type ReaperSpec = z.infer<typeof ReaperSpec>;

/** Arguments of {@link Reaper}. */
export interface ReaperArgs {
    /** Namespace the reaper watches and runs in. */
    namespace: string;
    /** Reap expired node faults too (cluster-wide permission on nodes). Defaults to false. */
    nodes?: boolean;
    /** Reap expired Chaos Mesh objects too (their CRDs must exist). Defaults to false. */
    chaosMesh?: boolean;
    /** Cron schedule. Defaults to "* * * * *". */
    schedule?: string;
    /** Image with sh and kubectl. Defaults to $FAULTLINE_IMAGE_KUBECTL or "bitnami/kubectl:latest". */
    image?: string;
}

/**
 * The in-cluster time-to-live reaper: a CronJob that deletes, every minute, the faultline objects of its namespace
 * whose expiry has passed, with the least RBAC that needs (list and delete on exactly those kinds in that namespace,
 * plus get/list/patch on nodes only if `nodes` is set). It lives in the cluster, so faults expire even when every
 * Pulumi process is gone. Create one per namespace per stack; the experiment program does this for you.
 *
 * ```ts
 * new Reaper("shop-reaper", { namespace: "shop", chaosMesh: true });
 * ```
 */
export class Reaper extends pulumi.ComponentResource {
    static readonly type = "faultline:kubernetes:Reaper";

    /** Namespace watched. */
    readonly namespace: string;
    /** Resources (kubectl names) the reaper deletes when expired. */
    readonly resources: string[];
    /** The CronJob. */
    readonly cronJob: k8s.batch.v1.CronJob;

    constructor(name: string, args: ReaperArgs, opts?: pulumi.ComponentResourceOptions) {
        super(Reaper.type, name, {}, opts);
        const spec = parseArgs(ReaperSpec, args, Reaper.type, name);
        const labels = {
            [Labels.managed]: "true",
            [Labels.project]: labelValue(pulumi.getProject()),
            [Labels.stack]: labelValue(pulumi.getStack()),
            [Labels.role]: K8sRoles.reaper,
        };
        const objName = "faultline-reaper";
        const metadata = { name: objName, namespace: spec.namespace, labels };
        const child = { parent: this, deleteBeforeReplace: true };
        this.namespace = spec.namespace;
        this.resources = [...REAPED_RESOURCES, ...(spec.chaosMesh ? REAPED_CHAOS_RESOURCES : [])];

        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata, automountServiceAccountToken: true }, child);
        const grouped = new Map<string, string[]>();
        for (const r of this.resources) {
            const [plural, ...group] = r.split(".");
            const g = group.join(".");
            grouped.set(g, [...(grouped.get(g) ?? []), plural!]);
        }
        const role = new k8s.rbac.v1.Role(
            `${name}-role`,
            { metadata, rules: [...grouped].map(([apiGroup, resources]) => ({ apiGroups: [apiGroup], resources, verbs: ["list", "delete"] })) },
            child,
        );
        const subjects = [{ kind: "ServiceAccount", name: objName, namespace: spec.namespace }];
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-binding`,
            { metadata, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: objName }, subjects },
            { ...child, dependsOn: [role, account] },
        );
        const deps: pulumi.Resource[] = [binding];
        if (spec.nodes) {
            // Cluster-scoped names must not collide between namespaces and stacks.
            const clusterName = `faultline-reaper-${labelValue(pulumi.getStack())}-${spec.namespace}`.slice(0, 253);
            const clusterRole = new k8s.rbac.v1.ClusterRole(
                `${name}-nodes`,
                { metadata: { name: clusterName, labels }, rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "patch"] }] },
                child,
            );
            deps.push(
                new k8s.rbac.v1.ClusterRoleBinding(
                    `${name}-nodes-binding`,
                    { metadata: { name: clusterName, labels }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterName }, subjects },
                    { ...child, dependsOn: [clusterRole, account] },
                ),
            );
        }

        this.cronJob = new k8s.batch.v1.CronJob(
            `${name}-cron`,
            {
                metadata,
                spec: {
                    schedule: spec.schedule,
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 120,
                    successfulJobsHistoryLimit: 1,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        metadata: { labels },
                        spec: {
                            backoffLimit: 0,
                            activeDeadlineSeconds: 120,
                            ttlSecondsAfterFinished: 600,
                            template: {
                                metadata: { labels },
                                spec: {
                                    serviceAccountName: objName,
                                    restartPolicy: "Never",
                                    securityContext: { runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: "RuntimeDefault" } },
                                    containers: [
                                        {
                                            name: "reaper",
                                            image: spec.image ?? process.env.FAULTLINE_IMAGE_KUBECTL ?? "bitnami/kubectl:latest",
                                            command: ["/bin/sh", "-c", reaperScript()],
                                            env: [
                                                { name: "FAULTLINE_NAMESPACE", value: spec.namespace },
                                                { name: "FAULTLINE_RESOURCES", value: this.resources.join(" ") },
                                                { name: "FAULTLINE_NODES", value: String(spec.nodes) },
                                                // kubectl writes its discovery cache under $HOME; the root filesystem is read-only.
                                                { name: "HOME", value: "/tmp" },
                                            ],
                                            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                                            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                        },
                                    ],
                                    volumes: [{ name: "tmp", emptyDir: {} }],
                                },
                            },
                        },
                    },
                },
            },
            { ...child, dependsOn: deps },
        );
        this.registerOutputs({ namespace: this.namespace, resources: this.resources });
    }
}
