import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { ClockSkewSpec, driver } from "./drivers/clockSkew";
import type { ContainerSelector } from "./selector";

/** Arguments of {@link ClockSkew}. */
export interface ClockSkewArgs extends FaultOptions {
    /**
     * Which running containers to skew: `name`, `nameRegex` and/or `labels`, and the blast radius `mode` (`one`,
     * the default; `fixed` or `percent` with `value`; `all`, which also needs `allowAll: true`). Each must load
     * libfaketime (see docs/stress-disk-clock.md); preview fails for one that does not.
     */
    target: z.input<typeof ContainerSelector>;
    /** How far to move the wall clock: a sign and a duration, e.g. "+2h", "-30m", "+1d", "-90s". Up to 3650d. */
    offset: string;
    /**
     * Restart the targets after writing the skew and after reverting it, so every process starts with the new
     * time. Without it, running processes follow within libfaketime's cache period (FAKETIME_CACHE_DURATION).
     * Defaults to false.
     */
    restart?: boolean;
}

/**
 * A skewed clock: the target's processes see the wall clock moved by `offset`, through libfaketime, which the
 * target's image preloads and which reads the offset from the file named by FAKETIME_TIMESTAMP_FILE.
 *
 * `pulumi up` writes the offset into that file (recording what it held); `pulumi destroy` puts back the previous
 * content, or deletes the file if there was none, and restarts the target again if the fault did. After `ttl` a
 * reaper does the same.
 *
 * ```ts
 * new ClockSkew("worker-clock", { target: { name: "demo-worker" }, offset: "+2h", ttl: "5m" });
 * ```
 */
export class ClockSkew extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:ClockSkew";

    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: the timestamp files written and what they held before. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: ClockSkewArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ClockSkew.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(ClockSkewSpec, args, ClockSkew.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/clockSkew"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({ description: this.description, record: this.record, expiresAt: this.expiresAt });
    }
}
