import * as pulumi from "@pulumi/pulumi";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { driver, ProcessKillSpec } from "./drivers/processKill";
import type { ContainerSelectorInput } from "./selector";
import type { Signal } from "./signal";

/** Arguments of {@link ProcessKill}. */
export interface ProcessKillArgs extends FaultOptions {
    /**
     * Which running containers to look in: `name`, `nameRegex` and/or `labels`, plus the blast radius `mode`
     * (`one` by default, `fixed`/`percent` with `value`, or `all` with `allowAll: true`).
     */
    target: ContainerSelectorInput;
    /**
     * The processes to kill: a pattern as `pgrep`/`pkill` take it, an extended regular expression matched against
     * the process name (at most 15 characters, e.g. "nginx", "^worker$"). Every selected container must have at
     * least one match, or `up` fails before anything is killed.
     */
    process: string;
    /** Match `process` against the whole command line (`pgrep -f`). Defaults to false. */
    fullCommand?: boolean;
    /** The signal to send. Defaults to "SIGKILL". */
    signal?: Signal;
}

/**
 * Kills processes by name inside containers, without any tool in the target image: a helper container from the
 * tools image joins the target's PID namespace, lists the matches with `pgrep` (recorded), and signals exactly those.
 * A match that is the container's main process (PID 1) is signalled through the engine, as `docker kill` does,
 * because PID 1 ignores signals from inside its own namespace.
 *
 * Killed processes cannot be brought back. If the kill took down the main process and the container is still
 * stopped, `pulumi destroy` (or the reaper after `ttl`) starts it; otherwise there is nothing to undo.
 *
 * ```ts
 * new ProcessKill("worker-crash", { target: { name: "api" }, process: "^worker$", ttl: "5m" });
 * ```
 */
export class ProcessKill extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:ProcessKill";

    /** The selector, as validated (with its defaults). */
    readonly target: ProcessKillSpec["target"];
    /** The process pattern. */
    readonly process: string;
    /** The signal sent. */
    readonly signal: Signal;
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: per container, its run and the processes signalled. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: ProcessKillArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ProcessKill.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(ProcessKillSpec, args, ProcessKill.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/processKill"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.target = spec.target;
        this.process = spec.process;
        this.signal = spec.signal;
        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({
            target: this.target,
            process: this.process,
            signal: this.signal,
            description: this.description,
            record: this.record,
            expiresAt: this.expiresAt,
        });
    }
}
