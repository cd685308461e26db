import { z } from "zod";
import type { FaultDriver } from "../../core/driver";
import { formatBytes } from "../../../spec/units";
import { ByteSize, exactlyOneOf } from "../../../spec/fields";
import { FaultError } from "../../core/errors";
import { measureTargets, memoryCapacity, memoryPercentIssues } from "../bounds";
import { ContainerSelector, type SelectedContainer } from "../selector";
import { applyStress, observeStress, prepareStress, revertStress, stressPreflight, type StressRecord } from "../stressor";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Spec of a memory stress: stress-ng VM workers that allocate and hold memory inside the target's cgroup. */
export const MemoryStressSpec = z
    .object({
        /** Which containers to stress, and how many of them (blast radius). */
        target: ContainerSelector,
        /** Memory to allocate and hold in each target: bytes or a size such as "256MiB". Give this or `percent`. */
        bytes: ByteSize.optional(),
        /**
         * Memory to allocate and hold, as a percentage of the target's memory limit. Give this or `bytes`. 1-100.
         * A target without a memory limit needs `bytes` (checked at preview): a percentage of no limit would be of the
         * whole host.
         */
        percent: z
            .number({ error: "must be a percentage, e.g. 80" })
            .gt(0, "must be greater than 0")
            .max(100, "must be at most 100; above its limit a container is OOM-killed anyway")
            .optional(),
        /** Number of VM workers the memory is split across (stress-ng --vm). Defaults to 1; at most 16. */
        workers: z
            .number({ error: "must be a number of workers, e.g. 2" })
            .int("must be a whole number of workers")
            .min(1, "at least 1 worker")
            .max(16, "at most 16 workers")
            .default(1),
    })
    .strict()
    .superRefine(exactlyOneOf("bytes", "percent", 'give exactly one of bytes (e.g. "256MiB") or percent (e.g. 80) to say how much memory to hold'));
export type MemoryStressSpec = z.infer<typeof MemoryStressSpec>;

/**
 * Bytes to hold in one container: `bytes`, or `percent` of its memory limit. A percentage of a container without a
 * limit is refused here too (not only at preview): it would be a percentage of the whole host.
 */
export async function memoryBytesFor(spec: MemoryStressSpec, container: Pick<SelectedContainer, "id" | "name">): Promise<number> {
    if (spec.bytes !== undefined) return spec.bytes;
    const { memoryLimitBytes = 0 } = await memoryCapacity(container);
    const [issue] = memoryPercentIssues(spec.percent, [{ name: container.name, labels: {}, capacity: { memoryLimitBytes } }]);
    if (issue) throw new FaultError(issue.path, issue.message);
    return Math.floor((memoryLimitBytes * (spec.percent ?? 0)) / 100);
}

export const driver: FaultDriver<MemoryStressSpec, StressRecord, z.input<typeof MemoryStressSpec>> = {
    kind: "docker:memory-stress",
    target: "docker",
    schema: MemoryStressSpec,

    describe: (spec) =>
        `allocate and hold ${spec.bytes !== undefined ? formatBytes(spec.bytes) : `${spec.percent}% of the memory limit`} ` +
        `with ${spec.workers} worker(s) inside the cgroup of the selected container(s)`,

    async preflight(spec) {
        const issues = await stressPreflight(spec.target);
        return issues.length > 0 ? issues : memoryPercentIssues(spec.percent, await measureTargets(spec.target, memoryCapacity));
    },
    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => measureTargets(spec.target, memoryCapacity),

    prepare: (spec, ctx) =>
        prepareStress(
            spec.target,
            "memory-stress",
            async (c) => {
                const total = Math.max(4096 * spec.workers, await memoryBytesFor(spec, c));
                // --vm-bytes is the total: stress-ng divides it among the --vm workers itself. --vm-hang 0: each
                // worker touches its share once and then holds it without burning CPU, so this fault is memory
                // pressure alone; --vm-keep keeps the mapping instead of remapping in a loop.
                return ["--vm", String(spec.workers), "--vm-bytes", `${total}b`, "--vm-keep", "--vm-hang", "0"];
            },
            ctx,
        ),

    apply: (record) => applyStress(record),
    revert: (record, ctx) => revertStress(record, ctx),
    observe: (record) => observeStress(record),
};

/**
 * Memory pressure inside a container: stress-ng VM workers in a helper container nested in the target's cgroup, so
 * the memory counts against the target's own limit and shows in `docker stats`. The workers touch the memory once
 * and hold it, without burning CPU.
 *
 * `pulumi up` starts the stressor; `pulumi destroy` removes it, which frees the memory at once. After `ttl` a reaper
 * removes it, and stress-ng's `--timeout` stops it at the same deadline. Needs Docker's cgroupfs driver on cgroup v1.
 *
 * ```ts
 * new MemoryStress("api-mem", { target: { name: "demo-api" }, bytes: "256MiB", ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "resource-pressure",
    component: "MemoryStress",
    up: "stress-ng inside the target's own cgroup, so its limits and stats see it",
    revert: "stops the stressor",
    docs: "[stress, disk, clock](docs/stress-disk-clock.md)",
    module: __filename,
    driver,
});
