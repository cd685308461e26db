import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { DiskFillSpec, driver } from "./drivers/diskFill";
import type { ContainerSelector } from "./selector";

/** Arguments of {@link DiskFill}. Give exactly one of `bytes` and `percent`. */
export interface DiskFillArgs extends FaultOptions {
    /**
     * Which running containers to fill: `name`, `nameRegex` and/or `labels`, and the blast radius `mode` (`one`,
     * the default; `fixed` or `percent` with `value`; `all`, which also needs `allowAll: true`).
     */
    target: z.input<typeof ContainerSelector>;
    /**
     * Absolute path of a directory inside the target, on its root filesystem or on a mounted volume: the file lands
     * on whichever filesystem holds it. Defaults to "/tmp".
     */
    path?: string;
    /** How much to write: a number of bytes or a size such as "512MiB". Capped at the free space. */
    bytes?: number | string;
    /** How much to write, as a percentage of the space free in `path` when the fault goes in (100 fills it). */
    percent?: number;
}

/**
 * A filling disk: one file, `.faultline-fill-<stack>-<fault>`, that takes up space in a directory of the target.
 *
 * `pulumi up` allocates it (fallocate, or dd when the filesystem lacks it, stopping at ENOSPC and recording what
 * was written); `pulumi destroy` deletes exactly that file. The work runs inside the target when it has a shell,
 * otherwise in a helper container that reaches the target's filesystem through its PID namespace. After `ttl` a
 * reaper deletes the file.
 *
 * ```ts
 * new DiskFill("db-disk", { target: { name: "demo-db" }, path: "/var/lib/data", percent: 95, ttl: "10m" });
 * ```
 */
export class DiskFill extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:DiskFill";

    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: the files written, and how much each holds. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: DiskFillArgs, opts?: pulumi.ComponentResourceOptions) {
        super(DiskFill.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(DiskFillSpec, args, DiskFill.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/diskFill"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({ description: this.description, record: this.record, expiresAt: this.expiresAt });
    }
}
