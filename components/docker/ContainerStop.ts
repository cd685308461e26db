import * as pulumi from "@pulumi/pulumi";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { ContainerStopSpec, driver } from "./drivers/containerStop";
import type { ContainerSelectorInput } from "./selector";

/** Arguments of {@link ContainerStop}. */
export interface ContainerStopArgs extends FaultOptions {
    /**
     * Which running containers to stop: `name`, `nameRegex` and/or `labels`, plus the blast radius `mode`
     * (`one` by default, `fixed`/`percent` with `value`, or `all` with `allowAll: true`).
     */
    target: ContainerSelectorInput;
    /** Seconds Docker waits after SIGTERM before it sends SIGKILL, 0 to 300. Defaults to 10, like `docker stop`. */
    graceSeconds?: number;
}

/**
 * A container stop: each selected container is stopped gracefully, as with `docker stop`, for the TTL.
 *
 * `pulumi destroy`, or the reaper after `ttl`, starts every container the stop left stopped; one that was started
 * since or removed is left alone.
 *
 * ```ts
 * new ContainerStop("cache-down", { target: { labels: { app: "cache" }, mode: "fixed", value: 1 }, ttl: "5m" });
 * ```
 */
export class ContainerStop extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:ContainerStop";

    /** The selector, as validated (with its defaults). */
    readonly target: ContainerStopSpec["target"];
    /** The grace period used, in seconds. */
    readonly graceSeconds: number;
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: the containers stopped and the run each was in. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: ContainerStopArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ContainerStop.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(ContainerStopSpec, args, ContainerStop.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/containerStop"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.target = spec.target;
        this.graceSeconds = spec.graceSeconds;
        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({
            target: this.target,
            graceSeconds: this.graceSeconds,
            description: this.description,
            record: this.record,
            expiresAt: this.expiresAt,
        });
    }
}
