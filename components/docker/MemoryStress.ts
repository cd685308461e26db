import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { driver, MemoryStressSpec } from "./drivers/memoryStress";
import type { ContainerSelector } from "./selector";

/** Arguments of {@link MemoryStress}. Give exactly one of `bytes` and `percent`. */
export interface MemoryStressArgs extends FaultOptions {
    /**
     * Which running containers to stress: `name`, `nameRegex` and/or `labels`, and the blast radius `mode` (`one`,
     * the default; `fixed` or `percent` with `value`; `all`, which also needs `allowAll: true`).
     */
    target: z.input<typeof ContainerSelector>;
    /** Memory to allocate and hold in each target: a number of bytes or a size such as "256MiB" or "1GB". */
    bytes?: number | string;
    /**
     * Memory to allocate and hold, as a percentage of each target's memory limit (of the engine's total memory
     * when the target has none). More than the limit leaves room for the OOM killer only: stress-ng makes itself its
     * first candidate.
     */
    percent?: number;
    /** Number of VM workers the memory is split across (stress-ng --vm). Defaults to 1; at most 16. */
    workers?: number;
}

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
export class MemoryStress extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:MemoryStress";

    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: the stressed containers and their stressors. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: MemoryStressArgs, opts?: pulumi.ComponentResourceOptions) {
        super(MemoryStress.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(MemoryStressSpec, args, MemoryStress.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/memoryStress"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({ description: this.description, record: this.record, expiresAt: this.expiresAt });
    }
}
