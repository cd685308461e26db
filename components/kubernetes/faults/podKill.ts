import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CHAOS_MESH_API_VERSION, chaosSelectorFields, ChaosSelector, ContainerNames, describeSelector } from "../chaosMesh";
import { leased } from "../lease";
import { defineKubernetesFault, type KubernetesLib } from "../lib";
import { EXPIRES_AT_ANNOTATION, type FaultMetadata, K8sRoles, keepExpiry, objectName, withoutExpiry } from "../meta";

/** Spec of a pod or container kill. */
export const PodKillSpec = z
    .object({
        /** The pods to kill: namespace, selector and blast-radius mode (Chaos Mesh's). */
        selector: ChaosSelector,
        /** `pod-kill` deletes pods; `container-kill` kills containers in place (Chaos Mesh only). Default pod-kill. */
        action: z.enum(["pod-kill", "container-kill"], { error: "must be pod-kill or container-kill" }).default("pod-kill"),
        /** For container-kill: which containers. */
        containerNames: ContainerNames.optional(),
        /** Grace period of the deletion, in seconds. 0 kills at once (like SIGKILL). Defaults to 0. */
        gracePeriodSeconds: z.number().int().min(0).default(0),
        /**
         * Who kills: `job` (default), a short-lived Job with a Role that can only list and delete pods in the
         * namespace; or `chaos-mesh`, a PodChaos where Chaos Mesh is installed.
         */
        engine: z.enum(["job", "chaos-mesh"], { error: "must be job or chaos-mesh" }).default("job"),
        /** Job engine: image with sh and kubectl. Defaults to $FAULTLINE_IMAGE_KUBECTL or bitnami/kubectl:latest. */
        image: z.string().min(1).optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.action === "container-kill" && s.engine !== "chaos-mesh") {
            ctx.addIssue({ code: "custom", path: ["engine"], message: 'container-kill needs engine "chaos-mesh"; the job engine only deletes pods' });
        }
        if (s.action === "container-kill" && !s.containerNames) {
            ctx.addIssue({ code: "custom", path: ["containerNames"], message: "required for container-kill: the containers to kill" });
        }
        if (s.engine === "job") {
            if (!s.selector.labels) ctx.addIssue({ code: "custom", path: ["selector", "labels"], message: "the job engine selects pods by labels; give labels" });
            if (s.selector.expressions || s.selector.pods || s.selector.annotations || s.selector.nodes || s.selector.podPhases) {
                ctx.addIssue({ code: "custom", path: ["selector"], message: 'the job engine supports labels only; use engine "chaos-mesh" for expressions, pods, annotations, nodes or podPhases' });
            }
            if (s.selector.mode === "random-max-percent") {
                ctx.addIssue({ code: "custom", path: ["selector", "mode"], message: 'random-max-percent needs engine "chaos-mesh"; the job engine supports one, fixed, fixed-percent and all' });
            }
        }
    });
export type PodKillSpec = z.infer<typeof PodKillSpec>;

/**
 * The Job's script: the running pods that match, sorted by name, the first N of them by mode, deleted. Sorting
 * makes the choice repeatable; Chaos Mesh picks at random instead.
 */
export function podKillScript(): string {
    return `set -eu
pods=$(kubectl get pods -n "$FAULTLINE_NAMESPACE" -l "$FAULTLINE_SELECTOR" --field-selector=status.phase=Running -o name | sort)
total=$(printf '%s\\n' "$pods" | grep -c . || true)
if [ "$total" -eq 0 ]; then echo "faultline: no running pod matches $FAULTLINE_SELECTOR in $FAULTLINE_NAMESPACE" >&2; exit 1; fi
case "$FAULTLINE_MODE" in
  one) n=1 ;;
  fixed) n=$FAULTLINE_VALUE ;;
  fixed-percent) n=$(( (total * FAULTLINE_VALUE + 99) / 100 )) ;;
  all) n=$total ;;
  *) echo "faultline: unknown mode $FAULTLINE_MODE" >&2; exit 2 ;;
esac
[ "$n" -le "$total" ] || n=$total
for p in $(printf '%s\\n' "$pods" | head -n "$n"); do
  echo "faultline: deleting $p"
  kubectl delete -n "$FAULTLINE_NAMESPACE" "$p" --grace-period="$FAULTLINE_GRACE" --wait=false
done
`;
}

/** What {@link killJob} needs of the fault besides its spec. */
interface JobParts {
    objName: string;
    meta: FaultMetadata;
    lease: pulumi.Resource;
    child: pulumi.CustomResourceOptions;
    ttlMs: number;
}

/** The job engine: a ServiceAccount, a Role that may only list and delete pods, its binding, and the Job. */
function killJob(lib: KubernetesLib, name: string, spec: PodKillSpec, { objName, meta, lease, child, ttlMs }: JobParts): void {
    const sel = spec.selector;
    const metadata = { name: objName, namespace: sel.namespace, ...meta };
    const account = new lib.k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata }, child);
    const podRole = new lib.k8s.rbac.v1.Role(
        `${name}-role`,
        { metadata, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list", "delete"] }] },
        child,
    );
    const binding = new lib.k8s.rbac.v1.RoleBinding(
        `${name}-binding`,
        {
            metadata,
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: objName },
            subjects: [{ kind: "ServiceAccount", name: objName, namespace: sel.namespace }],
        },
        { ...child, dependsOn: [lease, account, podRole] },
    );
    const selector = Object.entries(sel.labels!).map(([k, v]) => `${k}=${v}`).join(",");
    new lib.k8s.batch.v1.Job(
        `${name}-job`,
        {
            // Not awaited: `up` returns once the Job exists, so the kill (a few seconds later, when its pod
            // runs) falls in the fault window the runner observes. Awaiting the Job's completion hid a
            // pod's short absence inside `up`, where no probe looks. The Job's log names what it deleted.
            metadata: { ...metadata, annotations: { ...metadata.annotations, "pulumi.com/skipAwait": "true" } },
            spec: {
                backoffLimit: 0,
                activeDeadlineSeconds: 120,
                ttlSecondsAfterFinished: Math.ceil(ttlMs / 1000),
                template: {
                    metadata: { labels: withoutExpiry(meta.labels) },
                    spec: {
                        serviceAccountName: objName,
                        restartPolicy: "Never",
                        securityContext: { runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [
                            {
                                name: "kill",
                                image: spec.image ?? process.env.FAULTLINE_IMAGE_KUBECTL ?? "bitnami/kubectl:latest",
                                command: ["/bin/sh", "-c", podKillScript()],
                                env: [
                                    { name: "FAULTLINE_NAMESPACE", value: sel.namespace },
                                    { name: "FAULTLINE_SELECTOR", value: selector },
                                    { name: "FAULTLINE_MODE", value: sel.mode },
                                    { name: "FAULTLINE_VALUE", value: String(sel.value ?? 1) },
                                    { name: "FAULTLINE_GRACE", value: String(spec.gracePeriodSeconds) },
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
        { ...child, dependsOn: [lease, binding] },
    );
}

/**
 * Pod kill / container kill: delete some of the selected pods (their controllers recreate them), or kill
 * containers in place. Either a short-lived Job with the least RBAC it needs (a ServiceAccount and a Role that can
 * list and delete pods in that namespace only), or a Chaos Mesh PodChaos.
 *
 * A kill cannot be undone; `destroy` removes the Job and its RBAC (or the PodChaos), and the reaper does the same
 * after `ttl`.
 *
 * ```ts
 * new PodKill("kill-one-web", { selector: { namespace: "shop", labels: { app: "web" } }, ttl: "10m" });
 * ```
 */
export const fault = defineKubernetesFault({
    kind: "kubernetes:pod-kill",
    component: "PodKill",
    schema: PodKillSpec,
    failureClass: "crash",
    up: "a short-lived Job whose Role may only list and delete pods in the namespace, or a Chaos Mesh PodChaos (also container-kill)",
    revert: "reaper deletes the Job and its RBAC / the PodChaos",
    module: __filename,
    build: ({ parent, name, spec, ttlMs, lib, metadata, lease: leaseIn }) => {
        const sel = spec.selector;
        const role = spec.engine === "chaos-mesh" ? K8sRoles.chaos : K8sRoles.podKill;
        const meta = metadata(role);
        const objName = objectName(name);
        const rbac = "rbac.authorization.k8s.io/v1";
        const objects = spec.engine === "chaos-mesh"
            ? [leased(CHAOS_MESH_API_VERSION, "podchaos", sel.namespace, objName)]
            : [
                  leased("batch/v1", "jobs", sel.namespace, objName),
                  leased(rbac, "rolebindings", sel.namespace, objName),
                  leased(rbac, "roles", sel.namespace, objName),
                  leased("v1", "serviceaccounts", sel.namespace, objName),
              ];
        const lease = leaseIn(sel.namespace, objects);
        const child = { parent, deleteBeforeReplace: true, dependsOn: [lease], ...keepExpiry() };

        if (spec.engine === "chaos-mesh") {
            new lib.k8s.apiextensions.CustomResource(
                `${name}-chaos`,
                {
                    apiVersion: CHAOS_MESH_API_VERSION,
                    kind: "PodChaos",
                    metadata: { name: objName, namespace: sel.namespace, ...meta },
                    spec: {
                        action: spec.action,
                        ...chaosSelectorFields(sel),
                        ...(spec.containerNames ? { containerNames: spec.containerNames } : {}),
                        gracePeriod: spec.gracePeriodSeconds,
                    },
                },
                child,
            );
        } else {
            killJob(lib, name, spec, { objName, meta, lease, child, ttlMs });
        }
        const victims = spec.action === "container-kill" ? `containers ${spec.containerNames!.join(",")} of ` : "";
        return {
            /** Namespace of the pods. */
            namespace: sel.namespace,
            /** `job` or `chaos-mesh`. */
            engine: spec.engine,
            /** What this fault breaks, in one sentence (shown by plans and previews). */
            description: `${spec.action} ${victims}${describeSelector(sel)} (by ${spec.engine})`,
            /** When the reaper removes what this fault left (ISO 8601). */
            expiresAt: meta.annotations[EXPIRES_AT_ANNOTATION]!,
        };
    },
});
