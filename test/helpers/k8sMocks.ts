import { EXPIRES_AT_ANNOTATION, EXPIRES_LABEL } from "../../components/kubernetes/meta";

/** A JSON.stringify replacer that masks the per-run expiry of Kubernetes faults, for snapshots. */
export function maskExpiry(key: string, value: unknown): unknown {
    if (key === EXPIRES_LABEL) return "<epoch seconds>";
    if (key === EXPIRES_AT_ANNOTATION) return "<ISO 8601>";
    if (value && typeof value === "object" && (value as { name?: string }).name === "FAULTLINE_EXPIRES") return { name: "FAULTLINE_EXPIRES", value: "<epoch seconds>" };
    return value;
}

/** The labels every object of fault `fault` (kind `kind`, role `role`) carries in the mock stack, minus expiry. */
export function expectedLabels(fault: string, kind: string, role: string): Record<string, string> {
    return {
        "dev.faultline.managed": "true",
        "dev.faultline.project": "faultline",
        "dev.faultline.stack": "test-mock",
        "dev.faultline.experiment": "test-mock",
        "dev.faultline.fault": fault,
        "dev.faultline.kind": kind.replace(/:/g, "."),
        "dev.faultline.role": role,
    };
}

/** Checks that `labels` hold an expiry `ttlS` seconds after a moment between `before` and now, and returns the rest. */
export function splitExpiry(labels: Record<string, string>, ttlS: number, before: number): Record<string, string> {
    const { [EXPIRES_LABEL]: exp, ...rest } = labels;
    const at = Number(exp);
    const now = Date.now();
    if (!(at >= Math.floor(before / 1000) + ttlS && at <= Math.floor(now / 1000) + ttlS)) {
        throw new Error(`expiry label ${exp} is not ${ttlS}s after the program ran (${before}..${now})`);
    }
    return rest;
}
