import { z } from "zod";
import type { FaultDriver } from "../../core/driver";
import { cpuCapacity, cpuWorkerIssues, measureTargets } from "../bounds";
import { ContainerSelector } from "../selector";
import { applyStress, observeStress, prepareStress, revertStress, stressPreflight, type StressRecord } from "../stressor";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Spec of a CPU stress: stress-ng CPU workers inside the target's cgroup. */
export const CpuStressSpec = z
    .object({
        /** Which containers to stress, and how many of them (blast radius). */
        target: ContainerSelector,
        /**
         * Number of CPU workers (stress-ng --cpu). Defaults to 1; at most 64, and at most one per CPU the target may
         * use (its CPU quota or cpuset, else the host's CPUs), checked at preview.
         */
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

export const driver: FaultDriver<CpuStressSpec, StressRecord, z.input<typeof CpuStressSpec>> = {
    kind: "docker:cpu-stress",
    target: "docker",
    schema: CpuStressSpec,

    describe: (spec) => `run ${spec.workers} CPU worker(s) at ${spec.load}% load inside the cgroup of the selected container(s)`,

    async preflight(spec) {
        const issues = await stressPreflight(spec.target);
        return issues.length > 0 ? issues : cpuWorkerIssues(spec.workers, await measureTargets(spec.target, cpuCapacity));
    },
    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => measureTargets(spec.target, cpuCapacity),

    prepare: (spec, ctx) =>
        prepareStress(spec.target, "cpu-stress", async () => ["--cpu", String(spec.workers), "--cpu-load", String(spec.load)], ctx),

    apply: (record) => applyStress(record),
    revert: (record, ctx) => revertStress(record, ctx),
    observe: (record) => observeStress(record),
};

/**
 * CPU pressure inside a container: stress-ng CPU workers in a helper container nested in the target's cgroup and
 * PID namespace, so the target's CPU quota bounds them and `docker stats` and `top` in the target count them.
 *
 * `pulumi up` starts the stressor; `pulumi destroy` removes it. After `ttl` a reaper removes it, and stress-ng's own
 * `--timeout` stops it at the same deadline as a second safety net. Needs Docker's cgroupfs driver on cgroup v1.
 *
 * ```ts
 * new CpuStress("api-cpu", { target: { name: "demo-api" }, workers: 2, load: 80, ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "resource-pressure",
    component: "CpuStress",
    up: "stress-ng inside the target's own cgroup, so its limits and stats see it",
    revert: "stops the stressor",
    docs: "[stress, disk, clock](docs/stress-disk-clock.md)",
    module: __filename,
    driver,
});
