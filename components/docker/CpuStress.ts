import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { CpuStressSpec, driver } from "./drivers/cpuStress";
import type { ContainerSelector } from "./selector";

/** Arguments of {@link CpuStress}. */
export interface CpuStressArgs extends FaultOptions {
    /**
     * Which running containers to stress: `name`, `nameRegex` and/or `labels`, and the blast radius `mode` (`one`,
     * the default; `fixed` or `percent` with `value`; `all`, which also needs `allowAll: true`).
     */
    target: z.input<typeof ContainerSelector>;
    /** Number of CPU workers (stress-ng --cpu). Defaults to 1; at most 64. */
    workers?: number;
    /** Load each worker puts on its core, in percent (stress-ng --cpu-load). Defaults to 100. */
    load?: number;
}

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
export class CpuStress extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:CpuStress";

    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: the stressed containers and their stressors. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: CpuStressArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CpuStress.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(CpuStressSpec, args, CpuStress.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/cpuStress"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({ description: this.description, record: this.record, expiresAt: this.expiresAt });
    }
}
