import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { driver, NetemSpec } from "./drivers/netem";
import type { ContainerSelector } from "./selector";

/** Arguments of {@link Netem}. Give `delay`, `loss` or both. */
export interface NetemArgs extends FaultOptions {
    /**
     * The containers whose interface gets netem: a selector by `name`, `nameRegex` or `labels`, with a
     * blast-radius `mode` (`one` by default, `fixed`, `percent`, or `all` with `allowAll: true`).
     */
    target: z.input<typeof ContainerSelector>;
    /** The interface inside the container. Defaults to `eth0`. */
    interface?: string;
    /** Delay added to every packet the target sends, in tc units, e.g. `"100ms"`. */
    delay?: string;
    /** Random variation of the delay, e.g. `"20ms"`. Needs `delay`. */
    jitter?: string;
    /** Percentage of the packets the target sends that are dropped: more than 0, at most 100, e.g. `5`. */
    loss?: number;
}

/**
 * Packet loss and delay with `tc qdisc ... netem` on what the targets send out of one interface.
 *
 * It needs the kernel's sch_netem. Preview checks for it (in a throwaway helper container with a network namespace
 * of its own) and fails with a clear message where it is missing, as on kernels built without it; use a
 * ToxiproxyToxic (latency, timeout) there instead. Where netem exists, `pulumi up` installs it as the interface's
 * root qdisc with the fault's own handle and `pulumi destroy` removes it; after `ttl`, a reaper removes it.
 *
 * ```ts
 * new Netem("lossy-api", { target: { name: "api" }, delay: "100ms", jitter: "20ms", loss: 5, ttl: "5m" });
 * ```
 */
export class Netem extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:Netem";

    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: targets, their previous root qdisc, the interface. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: NetemArgs, opts?: pulumi.ComponentResourceOptions) {
        super(Netem.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(NetemSpec, args, Netem.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/netem"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({ description: this.description, record: this.record, expiresAt: this.expiresAt });
    }
}
