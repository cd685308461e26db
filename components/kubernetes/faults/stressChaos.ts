import { z } from "zod";
import { chaosSpec, ChaosInContainers, describeSelector, defineChaosMeshFault } from "../chaosMesh";

/** Spec of a Chaos Mesh StressChaos: CPU and/or memory stress inside the selected pods' containers. */
export const StressChaosSpec = chaosSpec(ChaosInContainers, {
    /** CPU stress: `workers` stressors, each loading a CPU to `load` percent (default 100). */
    cpu: z
        .object({
            workers: z.number().int().positive("must be at least 1"),
            load: z.number().int().min(1, "must be between 1 and 100").max(100, "must be between 1 and 100").optional(),
        })
        .strict()
        .optional(),
    /** Memory stress: `workers` stressors that together hold `size` ("256MB", "1GB" or a share like "50%"). */
    memory: z
        .object({
            workers: z.number().int().positive("must be at least 1"),
            size: z.string().regex(/^\d+(\.\d+)?(B|KB|MB|GB|TB|%)$/i, 'is not a size; write it like "256MB", "1GB" or "50%"'),
        })
        .strict()
        .optional(),
}).superRefine((s, ctx) => {
    if (!s.cpu && !s.memory) ctx.addIssue({ code: "custom", message: "give cpu, memory or both: there is nothing to stress" });
});
export type StressChaosSpec = z.infer<typeof StressChaosSpec>;

/**
 * Chaos Mesh StressChaos: burn CPU and/or hold memory inside the selected pods, within their own cgroup limits,
 * for `duration` (default: ttl).
 *
 * ```ts
 * new StressChaos("api-cpu", { selector: { namespace: "shop", labels: { app: "api" } }, cpu: { workers: 2, load: 80 }, ttl: "10m" });
 * ```
 */
export const fault = defineChaosMeshFault({
    kind: "kubernetes:stress-chaos",
    component: "StressChaos",
    chaosKind: "StressChaos",
    schema: StressChaosSpec,
    failureClass: "resource-pressure",
    up: "Chaos Mesh StressChaos: CPU and/or memory stressors in the selected pods",
    module: __filename,
    body: (s) => {
        const stressors: Record<string, unknown> = {};
        if (s.cpu) stressors.cpu = { workers: s.cpu.workers, ...(s.cpu.load !== undefined ? { load: s.cpu.load } : {}) };
        if (s.memory) stressors.memory = { workers: s.memory.workers, size: s.memory.size };
        const what = [s.cpu ? `${s.cpu.workers} CPU worker(s) at ${s.cpu.load ?? 100}%` : "", s.memory ? `${s.memory.size} of memory` : ""]
            .filter(Boolean)
            .join(" and ");
        return {
            spec: { stressors },
            description: `stress ${what} on ${describeSelector(s.selector)}`,
        };
    },
});
