import * as pulumi from "@pulumi/pulumi";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { ContainerRestartSpec, driver } from "./drivers/containerRestart";
import type { ContainerSelectorInput } from "./selector";

/** Arguments of {@link ContainerRestart}. */
export interface ContainerRestartArgs extends FaultOptions {
    /**
     * Which running containers to restart: `name`, `nameRegex` and/or `labels`, plus the blast radius `mode`
     * (`one` by default, `fixed`/`percent` with `value`, or `all` with `allowAll: true`).
     */
    target: ContainerSelectorInput;
    /** Seconds Docker waits after SIGTERM before it sends SIGKILL, 0 to 300. Defaults to 10, like `docker restart`. */
    graceSeconds?: number;
}

/**
 * A one-shot container restart, as with `docker restart`: in-memory state is lost, connections drop, the process
 * starts again. There is nothing to undo; `pulumi destroy`, or the reaper after `ttl`, makes sure every restarted
 * container is running (a restart interrupted between its stop and its start would leave it stopped).
 *
 * ```ts
 * new ContainerRestart("api-bounce", { target: { nameRegex: "^api-" , mode: "percent", value: 50 }, ttl: "1m" });
 * ```
 */
export class ContainerRestart extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:ContainerRestart";

    /** The selector, as validated (with its defaults). */
    readonly target: ContainerRestartSpec["target"];
    /** The grace period used, in seconds. */
    readonly graceSeconds: number;
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: the containers restarted and the run each was in before. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper checks that every restarted container is running (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: ContainerRestartArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ContainerRestart.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(ContainerRestartSpec, args, ContainerRestart.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/containerRestart"), kind: driver.kind, spec, owner, ttlMs },
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
