import * as pulumi from "@pulumi/pulumi";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { ContainerKillSpec, driver } from "./drivers/containerKill";
import type { ContainerSelectorInput } from "./selector";
import type { Signal } from "./signal";

/** Arguments of {@link ContainerKill}. */
export interface ContainerKillArgs extends FaultOptions {
    /**
     * Which running containers to kill: `name`, `nameRegex` and/or `labels`, plus the blast radius `mode`
     * (`one` by default, `fixed`/`percent` with `value`, or `all` with `allowAll: true`).
     */
    target: ContainerSelectorInput;
    /** The signal for the main process, as `docker kill --signal`. Defaults to "SIGKILL". */
    signal?: Signal;
}

/**
 * A container kill: the main process of each selected container gets `signal`, as with `docker kill`.
 *
 * `pulumi up` records each container's run (StartedAt, restart policy) and kills it; Docker counts this as a manual
 * stop, so no restart policy brings it back. `pulumi destroy`, or the reaper after `ttl`, starts every container the
 * kill left stopped; one that was started since (by a human or a restart policy) or removed is left alone. A signal
 * the process survives (SIGHUP to a server that reloads) leaves nothing to undo.
 *
 * ```ts
 * new ContainerKill("api-crash", { target: { name: "api" }, ttl: "2m" });
 * ```
 */
export class ContainerKill extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:ContainerKill";

    /** The selector, as validated (with its defaults). */
    readonly target: ContainerKillSpec["target"];
    /** The signal sent. */
    readonly signal: Signal;
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: the containers killed and the run each was in. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: ContainerKillArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ContainerKill.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(ContainerKillSpec, args, ContainerKill.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/containerKill"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.target = spec.target;
        this.signal = spec.signal;
        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({
            target: this.target,
            signal: this.signal,
            description: this.description,
            record: this.record,
            expiresAt: this.expiresAt,
        });
    }
}
