import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { BandwidthSpec, driver } from "./drivers/bandwidth";
import type { ContainerSelector } from "./selector";

/** Arguments of {@link BandwidthLimit}. */
export interface BandwidthLimitArgs extends FaultOptions {
    /**
     * The containers whose interface is throttled: a selector by `name`, `nameRegex` or `labels`, with a
     * blast-radius `mode` (`one` by default, `fixed`, `percent`, or `all` with `allowAll: true`).
     */
    target: z.input<typeof ContainerSelector>;
    /** The interface inside the container. Defaults to `eth0`. */
    interface?: string;
    /**
     * The rate, in tc's units: `bit`, `kbit`, `mbit`, `gbit` are bits per second; `bps`, `kbps`, `mbps`, `gbps` are
     * BYTES per second (tc's convention). E.g. `"1mbit"`.
     */
    rate: string;
    /** Bucket size: how much may leave at once above the rate, e.g. `"32kbit"`, `"10kb"`. Defaults to `"32kbit"`. */
    burst?: string;
    /** Longest a packet may wait in the bucket before it is dropped, e.g. `"400ms"`. Defaults to `"400ms"`. */
    latency?: string;
}

/**
 * A bandwidth limit: a token bucket filter (`tc qdisc ... tbf`) on what the targets send out of one interface
 * (their egress: a throttled server answers slowly; to slow what it receives, throttle its clients).
 *
 * `pulumi up` records the interface's root qdisc (it must be the kernel's default) and installs the tbf with
 * the fault's own handle (`f000:`-`ffef:`, from its stack and name), from a short-lived helper container with NET_ADMIN only; `pulumi destroy` removes
 * that tbf, which brings the default back. After `ttl`, a reaper container removes it on its own.
 *
 * ```ts
 * new BandwidthLimit("slow-api", { target: { name: "api" }, rate: "1mbit", ttl: "5m" });
 * ```
 */
export class BandwidthLimit extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:BandwidthLimit";

    /** The rate limit, as given. */
    readonly rate: string;
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: targets, their previous root qdisc, the interface. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: BandwidthLimitArgs, opts?: pulumi.ComponentResourceOptions) {
        super(BandwidthLimit.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(BandwidthSpec, args, BandwidthLimit.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/bandwidth"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.rate = spec.rate;
        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({ rate: this.rate, description: this.description, record: this.record, expiresAt: this.expiresAt });
    }
}
