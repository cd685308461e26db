import { z } from "zod";
import { ByteSize } from "../../../spec/fields";
import { formatBytes } from "../../../spec/units";
import { defineFault } from "../../core/defineFault";
import type { FaultDriver } from "../../core/driver";
import { ContainerSelector, describeSelector, planContainers } from "../selector";
import { applyStress, observeStress, prepareStress, revertStress, stressPreflight, type StressRecord } from "../stressor";
import { selectorTargets } from "../targets";

/** The most each worker may write before it starts over: beyond it the fault is a disk fill, not I/O pressure. */
const MAX_BYTES_PER_WORKER = 1024 ** 3;

/** Spec of an I/O stress: stress-ng disk workers (write, read back, delete) inside the target's cgroup. */
export const IoStressSpec = z
    .object({
        /** Which containers to put under I/O pressure, and how many of them (blast radius). */
        target: ContainerSelector,
        /** Number of disk workers (stress-ng --hdd). Defaults to 1; at most 16. */
        workers: z
            .number({ error: "must be a number of disk workers, e.g. 2" })
            .int("must be a whole number of workers")
            .min(1, "at least 1 worker")
            .max(16, "at most 16 workers; a few saturate a disk")
            .default(1),
        /**
         * How much each worker writes before it starts over (stress-ng --hdd-bytes), e.g. "64MiB". Defaults to "64MiB";
         * at most 1GiB. The files are in the stressor's own layer and go with it.
         */
        bytesPerWorker: ByteSize.refine((b) => b <= MAX_BYTES_PER_WORKER, 'at most "1GiB" per worker; to take disk space use DiskFill').default(64 * 1024 ** 2),
    })
    .strict();
export type IoStressSpec = z.infer<typeof IoStressSpec>;

export const driver: FaultDriver<IoStressSpec, StressRecord, z.input<typeof IoStressSpec>> = {
    kind: "docker:io-stress",
    target: "docker",
    schema: IoStressSpec,

    describe: (spec) =>
        `run ${spec.workers} disk worker(s) writing ${formatBytes(spec.bytesPerWorker)} each inside the cgroup of ${describeSelector(spec.target)}`,

    preflight: (spec) => stressPreflight(spec.target),
    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => planContainers(spec.target),

    prepare: (spec, ctx) =>
        prepareStress(spec.target, "io-stress", async () => ["--hdd", String(spec.workers), "--hdd-bytes", String(spec.bytesPerWorker)], ctx),

    apply: (record) => applyStress(record),
    revert: (record, ctx) => revertStress(record, ctx),
    observe: (record) => observeStress(record),
};

/**
 * I/O pressure inside a container: stress-ng disk workers in a helper container nested in the target's cgroup and
 * PID namespace, so the target's block-I/O limits bound them and its I/O counters count them, while the target
 * competes with them for the disk. The files they write live in the helper's own layer.
 *
 * `pulumi up` starts the stressor; `pulumi destroy`, or the reaper after `ttl`, removes it with its files, and
 * stress-ng's own `--timeout` stops it at the same deadline as a second safety net.
 *
 * ```ts
 * new IoStress("db-io", { target: { name: "demo-postgres" }, workers: 2, bytesPerWorker: "128MiB", ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "resource-pressure",
    component: "IoStress",
    up: "stress-ng disk workers inside the target's own cgroup, writing in the stressor's own layer",
    revert: "stops the stressor; its files go with it",
    docs: "[stress, disk, clock](docs/stress-disk-clock.md)",
    module: __filename,
    driver,
});
