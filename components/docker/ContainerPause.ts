import * as pulumi from "@pulumi/pulumi";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { ContainerPauseSpec, driver } from "./drivers/containerPause";
import type { ContainerSelectorInput } from "./selector";

/** Arguments of {@link ContainerPause}. */
export interface ContainerPauseArgs extends FaultOptions {
    /**
     * Which running containers to freeze: `name`, `nameRegex` and/or `labels`, plus the blast radius `mode`
     * (`one` by default, `fixed`/`percent` with `value`, or `all` with `allowAll: true`). The `ttl` is how long
     * they stay frozen at most.
     */
    target: ContainerSelectorInput;
}

/**
 * A container pause: every process of each selected container is frozen (cgroup freezer, `docker pause`). The
 * container keeps its network endpoint, so peers see a hang, not a refused connection: the classic "grey failure".
 *
 * `pulumi destroy`, or the reaper after `ttl`, unpauses whatever is still paused.
 *
 * ```ts
 * new ContainerPause("db-freeze", { target: { name: "db" }, ttl: "30s" });
 * ```
 */
export class ContainerPause extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:ContainerPause";

    /** The selector, as validated (with its defaults). */
    readonly target: ContainerPauseSpec["target"];
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: the containers frozen. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper unpauses them on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: ContainerPauseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ContainerPause.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(ContainerPauseSpec, args, ContainerPause.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/containerPause"), kind: driver.kind, spec, owner, ttlMs },
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
