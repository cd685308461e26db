import { LABEL_PREFIX } from "../core/labels";

// Names and label values of faultline's Kubernetes objects. Free of zod and Pulumi: the in-cluster reaper's bundle
// imports this file.

/**
 * Label with the fault's expiry in epoch seconds. Kubernetes label values cannot hold an ISO date (no `:`), but
 * digits are fine, and the in-cluster reaper compares them with `date +%s`. Only faults carry it: the reaper never
 * deletes an object without it.
 */
export const EXPIRES_LABEL = `${LABEL_PREFIX}.expires`;
/** Annotation with the same expiry in ISO 8601, for humans and `kubectl describe`. */
export const EXPIRES_AT_ANNOTATION = `${LABEL_PREFIX}.expires-at`;
/** Annotation with the fault kind as written (`kubernetes:network-partition`); the label has `:` replaced. */
export const KIND_ANNOTATION = `${LABEL_PREFIX}.kind`;

/** The label NodeThrottle puts on its nodes so its stress DaemonSet lands exactly there. */
export const THROTTLE_LABEL = `dev.faultline.throttle`;
/** The taint key NodeThrottle uses. */
export const THROTTLE_TAINT_KEY = "dev.faultline.throttled";

/**
 * Makes a string a valid Kubernetes label value: at most 63 characters of `[A-Za-z0-9._-]`, starting and ending
 * with a letter or digit. faultline's own values (stack, fault names, kinds) are mapped so they stay readable:
 * `kubernetes:pod-kill` becomes `kubernetes.pod-kill`.
 */
export function labelValue(value: string): string {
    return value
        .replace(/:/g, ".")
        .replace(/[^A-Za-z0-9._-]/g, "-")
        .slice(0, 63)
        .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** A DNS-1123 name for an object a fault creates: `faultline-<fault>[-suffix]`, at most 63 characters. */
export function objectName(fault: string, suffix?: string): string {
    const base = `faultline-${fault}${suffix ? `-${suffix}` : ""}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    return base.slice(0, 63).replace(/-+$/g, "");
}

