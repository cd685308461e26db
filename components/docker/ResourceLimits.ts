import * as pulumi from "@pulumi/pulumi";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { driver, ResourceLimitsSpec } from "./drivers/resourceLimits";
import type { ContainerSelectorInput } from "./selector";

/** Arguments of {@link ResourceLimits}. At least one of cpus, cpuQuota, cpuPeriod, cpusetCpus or memory. */
export interface ResourceLimitsArgs extends FaultOptions {
    /**
     * Which running containers to squeeze: `name`, `nameRegex` and/or `labels`, plus the blast radius `mode`
     * (`one` by default, `fixed`/`percent` with `value`, or `all` with `allowAll: true`).
     */
    target: ContainerSelectorInput;
    /**
     * CPU time as a number of CPUs (at least 0.01, at most the host's CPUs), like `docker update --cpus`. Applied
     * as a CFS quota over the container's period, or as NanoCpus when the container was created with `--cpus`.
     * Not together with cpuQuota/cpuPeriod.
     */
    cpus?: number;
    /** CFS quota in microseconds per period, at least 1000, like `docker update --cpu-quota`. */
    cpuQuota?: number;
    /** CFS period in microseconds, 1000 to 1000000, like `docker update --cpu-period`. */
    cpuPeriod?: number;
    /** CPUs the container may run on, e.g. "0" or "0-1,3", like `docker update --cpuset-cpus`. */
    cpusetCpus?: string;
    /** Memory limit: bytes, or a size with unit b/k/m/g such as "64m"; at least 6m (Docker's minimum). */
    memory?: number | string;
    /** Memory plus swap, at least `memory`; only with `memory`. Defaults to `memory`, i.e. no swap. */
    memorySwap?: number | string;
}

/**
 * A resource squeeze: new CPU and memory limits on running containers (`docker update`), for the TTL.
 *
 * `pulumi up` records every limit exactly as `docker inspect` shows it, then updates the container.
 * `pulumi destroy`, or the reaper after `ttl`, writes the previous limits back (memory together with swap, so
 * Docker's memory ≤ memory+swap rule holds in either direction). Docker's update API cannot write 0 ("unset"), so
 * an unset limit is written as the kernel's own unlimited value: the cgroup reads exactly as before, while
 * `docker inspect` shows -1 for CpuQuota and 9223372036854771712 for Memory and MemorySwap instead of 0.
 * A limit someone else changed since the fault is left as they set it.
 *
 * ```ts
 * new ResourceLimits("api-squeeze", { target: { name: "api" }, cpus: 0.2, memory: "64m", ttl: "5m" });
 * ```
 */
export class ResourceLimits extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:ResourceLimits";

    /** The selector, as validated (with its defaults). */
    readonly target: ResourceLimitsSpec["target"];
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: per container, the limits before, the update sent and the update that restores. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper restores the limits on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: ResourceLimitsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ResourceLimits.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(ResourceLimitsSpec, args, ResourceLimits.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/resourceLimits"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.target = spec.target;
        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({
            target: this.target,
            description: this.description,
            record: this.record,
            expiresAt: this.expiresAt,
        });
    }
}
