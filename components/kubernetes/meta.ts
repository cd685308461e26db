import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Labels, ownerLabels, type FaultOwner } from "../core/labels";
import { EXPIRES_AT_ANNOTATION, EXPIRES_LABEL, KIND_ANNOTATION, labelValue } from "./names";

export { EXPIRES_AT_ANNOTATION, EXPIRES_LABEL, KIND_ANNOTATION, labelValue, objectName } from "./names";

/** Roles faultline objects play in a cluster, the value of `dev.faultline.role`. */
export const K8sRoles = {
    /** A NetworkPolicy that cuts traffic. */
    partition: "network-partition",
    /** A DaemonSet that loads nodes. */
    nodeStress: "node-stress",
    /** A Node patched (cordoned, tainted, labelled) by a fault. */
    nodeThrottle: "node-throttle",
    /** A Job (and its RBAC) that kills pods. */
    podKill: "pod-kill",
    /** A Chaos Mesh custom resource. */
    chaos: "chaos-mesh",
    /** The in-cluster time-to-live reaper. */
    reaper: "reaper",
} as const;

/** Labels and annotations every Kubernetes object of one fault carries. */
export interface FaultMetadata {
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

/**
 * The metadata of an object a fault creates or patches: the owner labels (`dev.faultline.managed=true`, project,
 * stack, experiment, fault, kind), its role, and its expiry (label in epoch seconds, annotation in ISO 8601).
 * `now` is when the program runs; the expiry is fixed at creation (see {@link keepExpiry}).
 */
export function faultMetadata(owner: FaultOwner, role: string, ttlMs: number, now: number = Date.now()): FaultMetadata {
    const expires = now + ttlMs;
    const labels = Object.fromEntries(Object.entries(ownerLabels(owner)).map(([k, v]) => [k, labelValue(v)]));
    return {
        labels: { ...labels, [Labels.role]: role, [EXPIRES_LABEL]: String(Math.floor(expires / 1000)) },
        annotations: { [EXPIRES_AT_ANNOTATION]: new Date(expires).toISOString(), [KIND_ANNOTATION]: owner.kind },
    };
}

/** `labels` without the expiry: for pod templates, which must not change each time the program runs. */
export function withoutExpiry(labels: Record<string, string>): Record<string, string> {
    const { [EXPIRES_LABEL]: _expiry, ...rest } = labels;
    return rest;
}

/**
 * Resource options that keep the expiry an object was created with. The program computes the expiry from the
 * clock each time it runs; without this, every `pulumi up` would push the deadline back and every preview would
 * show a change.
 */
export function keepExpiry(path = "metadata"): Pick<pulumi.CustomResourceOptions, "ignoreChanges"> {
    return { ignoreChanges: [`${path}.labels["${EXPIRES_LABEL}"]`, `${path}.annotations["${EXPIRES_AT_ANNOTATION}"]`] };
}

const LabelKey = z
    .string()
    .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
        "is not a valid label key (an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.')",
    );
const LabelVal = z
    .string()
    .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, "is not a valid label value (up to 63 letters, digits, '-', '_' or '.')");

/** A label map as Kubernetes accepts it (`matchLabels`, `nodeSelector`). */
export const LabelMap = z.record(LabelKey, LabelVal);

// A namespace name is part of the experiment spec (the reaper's namespace), so it is defined there.
export { Namespace } from "../../spec/fields";
