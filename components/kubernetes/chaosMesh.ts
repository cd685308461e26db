import { z } from "zod";
import type { FaultClass } from "../core/defineFault";
import { formatDuration } from "../../spec/units";
import { Duration } from "../../spec/fields";
import { leased } from "./lease";
import { defineKubernetesFault } from "./lib";
import { EXPIRES_AT_ANNOTATION, K8sRoles, keepExpiry, LabelMap, Namespace, objectName } from "./meta";

/** The API group and version of every Chaos Mesh kind faultline declares. */
export const CHAOS_MESH_API_VERSION = "chaos-mesh.org/v1alpha1";

/**
 * Which pods a Chaos Mesh fault hits, and how many: Chaos Mesh's selector + mode + value
 * (chaos-mesh api/v1alpha1/selector.go), scoped to one namespace.
 *
 * - `labels`, `expressions`, `annotations`, `pods`, `nodes`, `podPhases` narrow the pods; at least one of
 *   `labels`, `expressions` or `pods` is required, because an empty selector matches every pod in the namespace.
 * - `mode`: `one` (default), `fixed` (`value` pods), `fixed-percent` (`value`% of them), `random-max-percent`
 *   (a random share up to `value`%), or `all`, which also needs `allowAll: true`: Chaos Mesh's `all` includes pods
 *   that are not even ready.
 */
export const ChaosSelector = z
    .object({
        /** Namespace of the pods. The custom resource is created in it too. */
        namespace: Namespace,
        /** Labels the pods must all have, e.g. `{ app: "web" }`. */
        labels: LabelMap.optional(),
        /** Set-based label requirements, as in a LabelSelector's matchExpressions. */
        expressions: z
            .array(
                z
                    .object({
                        key: z.string().min(1),
                        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"], { error: "must be In, NotIn, Exists or DoesNotExist" }),
                        values: z.array(z.string()).optional(),
                    })
                    .strict(),
            )
            .optional(),
        /** Annotations the pods must all have. */
        annotations: z.record(z.string(), z.string()).optional(),
        /** Exact pod names in `namespace`. */
        pods: z.array(z.string().min(1)).min(1, "give at least one pod name, or leave pods out").optional(),
        /** Only pods on these nodes. */
        nodes: z.array(z.string().min(1)).optional(),
        /** Only pods in these phases. */
        podPhases: z.array(z.enum(["Pending", "Running", "Succeeded", "Failed", "Unknown"])).optional(),
        /** Blast-radius mode. Defaults to `one`. */
        mode: z
            .enum(["one", "all", "fixed", "fixed-percent", "random-max-percent"], {
                error: "must be one of: one, fixed, fixed-percent, random-max-percent, all",
            })
            .default("one"),
        /** Number of pods (`fixed`) or percentage (`fixed-percent`, `random-max-percent`, 1-100). */
        value: z.number().int("must be a whole number").positive("must be greater than zero").optional(),
        /** Must be true for `mode: all`: an explicit opt-in to hitting every matching pod. */
        allowAll: z.boolean().optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.labels === undefined && s.expressions === undefined && s.pods === undefined) {
            ctx.addIssue({
                code: "custom",
                message: "give labels, expressions or pods: an empty selector matches every pod in the namespace",
            });
        }
        if (s.mode !== "one" && s.mode !== "all" && s.value === undefined) {
            ctx.addIssue({ code: "custom", path: ["value"], message: `required when mode is "${s.mode}"` });
        }
        if ((s.mode === "fixed-percent" || s.mode === "random-max-percent") && s.value !== undefined && s.value > 100) {
            ctx.addIssue({ code: "custom", path: ["value"], message: "a percentage must be between 1 and 100" });
        }
        if (s.mode === "all" && s.allowAll !== true) {
            ctx.addIssue({
                code: "custom",
                path: ["allowAll"],
                message: 'mode "all" hits every matching pod, ready or not; set allowAll: true to confirm, or use another mode',
            });
        }
    });
export type ChaosSelector = z.infer<typeof ChaosSelector>;

/** Chaos Mesh's `selector`, `mode` and `value` fields for a {@link ChaosSelector}. */
export function chaosSelectorFields(s: ChaosSelector): Record<string, unknown> {
    const selector: Record<string, unknown> = { namespaces: [s.namespace] };
    if (s.labels) selector.labelSelectors = s.labels;
    if (s.expressions) selector.expressionSelectors = s.expressions;
    if (s.annotations) selector.annotationSelectors = s.annotations;
    if (s.pods) selector.pods = { [s.namespace]: s.pods };
    if (s.nodes) selector.nodes = s.nodes;
    if (s.podPhases) selector.podPhaseSelectors = s.podPhases;
    return { selector, mode: s.mode, ...(s.value !== undefined ? { value: String(s.value) } : {}) };
}

/** One line naming a selector, for descriptions. */
export function describeSelector(s: ChaosSelector): string {
    const what = [
        s.labels ? Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(",") : "",
        s.expressions ? `${s.expressions.length} expression(s)` : "",
        s.pods ? `pods ${s.pods.join(",")}` : "",
    ]
        .filter(Boolean)
        .join(" ");
    const how = s.mode === "one" ? "one pod" : s.mode === "all" ? "all pods" : `${s.mode} ${s.value}`;
    return `${how} of ${what} in namespace ${s.namespace}`;
}

/** Container names inside the selected pods; all containers when left out. */
export const ContainerNames = z.array(z.string().min(1)).min(1, "give at least one container name, or leave containerNames out");

/** A Go duration as Chaos Mesh parses it (`time.ParseDuration`): "100ms", "1m30s", "-5m". */
export const GoDuration = z
    .string()
    .regex(/^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, 'is not a duration; write it like "100ms", "1m30s" or "2h"');

/** The fields every Chaos Mesh component takes besides its kind's own. */
export const ChaosCommon = {
    /** The pods to hit. */
    selector: ChaosSelector,
    /**
     * How long Chaos Mesh keeps the fault in (its `spec.duration`). Defaults to the fault's `ttl`; may not exceed it.
     */
    duration: Duration.optional(),
};

/** The fields of a Chaos Mesh kind that acts inside the pods' containers (DNS, IO, stress, time): also which ones. */
export const ChaosInContainers = {
    ...ChaosCommon,
    /** The containers to act in, inside the selected pods; all of them when left out. */
    containerNames: ContainerNames.optional(),
};

/**
 * A Chaos Mesh kind's spec: the shared fields (`base`: {@link ChaosCommon} or {@link ChaosInContainers}) and the
 * kind's own, strict, so that a misspelt field is an error naming it instead of a field Chaos Mesh never sees.
 */
export function chaosSpec<B extends z.ZodRawShape, F extends z.ZodRawShape>(base: B, fields: F) {
    return z.object({ ...base, ...fields }).strict();
}

/** What a Chaos Mesh kind turns its validated spec into. */
export interface ChaosBody {
    /**
     * The kind-specific part of `spec` (action, delay, stressors…); selector, mode, value, duration and the spec's
     * `containerNames` (when the kind has them and they are given) are added.
     */
    spec: Record<string, unknown>;
    /** One sentence for previews. */
    description: string;
}

/** What {@link defineChaosMeshFault} takes: a kind's definition, minus `build`, plus its custom resource's kind and body. */
export interface ChaosMeshFaultInput<S extends z.ZodObject, K extends `kubernetes:${string}`, C extends string> {
    kind: K;
    component: C;
    /** The Chaos Mesh kind of the custom resource, e.g. "NetworkChaos". */
    chaosKind: string;
    /** The spec: {@link ChaosCommon} plus the kind's fields. */
    schema: S;
    failureClass: FaultClass;
    up: string;
    /** The README's `destroy` / TTL column; every Chaos Mesh kind ends the same way, which is the default. */
    revert?: string;
    /** The README's Docs column; defaults to docs/kubernetes-aws.md, where every Chaos Mesh kind is described. */
    docs?: string;
    module: string;
    /** The kind-specific part of the custom resource's spec, and the description. */
    body: (spec: z.output<S>) => ChaosBody;
}

/**
 * The one way a Chaos Mesh kind is defined: validate every arg (including duration ≤ ttl) before any child, then
 * create one `chaos-mesh.org/v1alpha1` custom resource labelled as the fault, whose `spec.duration` is its
 * time-to-live: Chaos Mesh recovers the pods when it runs out, and the faultline reaper deletes the object after
 * `ttl`. The component's fields: namespace, resourceName, duration (Go notation), description, expiresAt and the
 * custom resource (`resource`).
 */
export function defineChaosMeshFault<S extends z.ZodObject, K extends `kubernetes:${string}`, C extends string>(def: ChaosMeshFaultInput<S, K, C>) {
    const { chaosKind, body, ...rest } = def;
    return defineKubernetesFault({
        revert: `\`spec.duration\` (≤ ttl); the reaper deletes the ${chaosKind} after ttl`,
        ...rest,
        build: ({ parent, name, spec, ttlMs, lib, invalid, metadata, lease: leaseIn }) => {
            const durationMs = (spec.duration as number | undefined) ?? ttlMs;
            if (durationMs > ttlMs) invalid("duration", `${formatDuration(durationMs)} is longer than the ttl (${formatDuration(ttlMs)}); shorten it or raise ttl`);
            const selector = spec.selector as ChaosSelector;
            const made = body(spec);
            const meta = metadata(K8sRoles.chaos);
            const namespace = selector.namespace;
            const resourceName = objectName(name);
            const duration = formatDuration(durationMs);
            const objects = [leased(CHAOS_MESH_API_VERSION, chaosKind.toLowerCase(), namespace, resourceName)];
            const lease = leaseIn(namespace, objects);
            const resource = new lib.k8s.apiextensions.CustomResource(
                `${name}-chaos`,
                {
                    apiVersion: CHAOS_MESH_API_VERSION,
                    kind: chaosKind,
                    metadata: { name: resourceName, namespace, ...meta },
                    spec: { ...chaosSelectorFields(selector), ...made.spec, ...containerNamesOf(spec), duration },
                },
                { parent, deleteBeforeReplace: true, dependsOn: [lease], ...keepExpiry() },
            );
            return { namespace, resourceName, duration, description: made.description, expiresAt: meta.annotations[EXPIRES_AT_ANNOTATION]!, resource };
        },
    });
}

/** The spec's `containerNames`, as the custom resource takes them, when given (all containers otherwise). */
function containerNamesOf(spec: { containerNames?: unknown }): { containerNames?: unknown } {
    return spec.containerNames ? { containerNames: spec.containerNames } : {};
}
