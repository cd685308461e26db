import { z } from "zod";
import type { FaultDriver } from "../../core/driver";
import { ContainerSelector } from "../selector";
import { applyStress, observeStress, prepareStress, revertStress, stressPlan, stressPreflight, type StressRecord } from "../stressor";

/** Spec of a CPU stress: stress-ng CPU workers inside the target's cgroup. */
export const CpuStressSpec = z
    .object({
        /** Which containers to stress, and how many of them (blast radius). */
        target: ContainerSelector,
        /** Number of CPU workers (stress-ng --cpu). Defaults to 1; at most 64. */
        workers: z
            .number({ error: "must be a number of CPU workers, e.g. 2" })
            .int("must be a whole number of workers")
            .min(1, "at least 1 worker")
            .max(64, "at most 64 workers; one per core you want busy is enough")
            .default(1),
        /** Load each worker puts on its core, in percent (stress-ng --cpu-load). Defaults to 100. */
        load: z
            .number({ error: "must be a percentage, e.g. 80" })
            .int("must be a whole percentage")
            .min(1, "must be between 1 and 100")
            .max(100, "must be between 1 and 100")
            .default(100),
    })
    .strict();
export type CpuStressSpec = z.infer<typeof CpuStressSpec>;

export const driver: FaultDriver<CpuStressSpec, StressRecord> = {
    kind: "docker:cpu-stress",
    target: "docker",
    schema: CpuStressSpec,

    describe: (spec) => `run ${spec.workers} CPU worker(s) at ${spec.load}% load inside the cgroup of the selected container(s)`,

    preflight: (spec) => stressPreflight(spec.target),
    plan: (spec) => stressPlan(spec.target),

    prepare: (spec, ctx) =>
        prepareStress(spec.target, "cpu-stress", async () => ["--cpu", String(spec.workers), "--cpu-load", String(spec.load)], ctx),

    apply: (record) => applyStress(record),
    revert: (record, ctx) => revertStress(record, ctx),
    observe: (record) => observeStress(record),
};
