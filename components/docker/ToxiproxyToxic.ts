import * as pulumi from "@pulumi/pulumi";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { driver, toxicName, ToxiproxyToxicSpec, type ToxicType } from "./drivers/toxiproxyToxic";
import type { ToxiproxyRef } from "./toxiproxy";

/** Arguments every toxic takes, whatever its type. */
export interface ToxicCommonArgs extends FaultOptions {
    /**
     * Where the Toxiproxy is: `{ container: "demo-toxiproxy" }` (a container on this Docker engine; add
     * `apiPort` if its API is not on 8474) or `{ url: "http://127.0.0.1:8474" }` (an API on a loopback address).
     */
    toxiproxy: ToxiproxyRef;
    /** Name of the Toxiproxy proxy between the client and the dependency. It must exist when the fault is injected. */
    proxy: string;
    /** `downstream` (dependency → client) or `upstream` (client → dependency). Defaults to `downstream`. */
    stream?: "upstream" | "downstream";
    /** Share of connections the toxic applies to, greater than 0 and at most 1. Defaults to 1 (all). */
    toxicity?: number;
}

/** Latency, with optional jitter, added to the data. */
export interface LatencyToxicArgs extends ToxicCommonArgs {
    type: "latency";
    /** Delay added to the data, with its unit: "300ms", "2s". Whole milliseconds, at most 1h. */
    latency: string;
    /** Random variation, plus or minus, of the delay: "50ms". Defaults to "0ms". */
    jitter?: string;
}

/** A bandwidth limit. */
export interface BandwidthToxicArgs extends ToxicCommonArgs {
    type: "bandwidth";
    /** Maximum rate in kilobytes per second (KB/s), a whole number, at least 1. */
    rate: number;
}

/** Data stops; connections close after `timeout`, or hang until the fault ends with "0s". */
export interface TimeoutToxicArgs extends ToxicCommonArgs {
    type: "timeout";
    /** When the stalled connection is closed: "5s"; "0s" keeps it open (and silent) until the fault ends. */
    timeout: string;
}

/** Connections are reset (TCP RST), at once or after `timeout`. */
export interface ResetPeerToxicArgs extends ToxicCommonArgs {
    type: "reset_peer";
    /** How long after a connection opens it is reset: "500ms". Defaults to "0s" (at once). */
    timeout?: string;
}

/** Closing a connection is delayed. */
export interface SlowCloseToxicArgs extends ToxicCommonArgs {
    type: "slow_close";
    /** How long the close is delayed: "2s". */
    delay: string;
}

/** Connections are closed after a number of bytes. */
export interface LimitDataToxicArgs extends ToxicCommonArgs {
    type: "limit_data";
    /** Bytes let through before the connection is closed, a whole number. */
    bytes: number;
}

/** Data is cut into small slices, optionally delayed between slices. */
export interface SlicerToxicArgs extends ToxicCommonArgs {
    type: "slicer";
    /** Average slice size in bytes, at least 1. */
    averageSize: number;
    /** Variation of the slice size in bytes, smaller than averageSize. Defaults to 0. */
    sizeVariation?: number;
    /** Delay between slices: "10ms", or "0.5ms" (microsecond precision). Defaults to "0ms". */
    delay?: string;
}

/** Arguments of {@link ToxiproxyToxic}: `type` picks the toxic and the attributes it takes. */
export type ToxiproxyToxicArgs =
    | LatencyToxicArgs
    | BandwidthToxicArgs
    | TimeoutToxicArgs
    | ResetPeerToxicArgs
    | SlowCloseToxicArgs
    | LimitDataToxicArgs
    | SlicerToxicArgs;

/**
 * A Toxiproxy toxic between a client and a dependency: latency, bandwidth, timeout, reset_peer, slow_close,
 * limit_data or slicer.
 *
 * `pulumi up` adds the toxic to the proxy through Toxiproxy's HTTP API, named `faultline.<stack>.<fault>` (toxics
 * have no labels, so the name carries the ownership); `pulumi destroy` removes it. Injecting fails, naming the
 * field, when the proxy does not exist (the message lists those that do) or when the toxic is already there from an
 * earlier run. After `ttl`, a reaper container in the Toxiproxy container's network namespace removes the toxic on
 * its own, even if every faultline process was killed.
 *
 * ```ts
 * new ToxiproxyToxic("slow-db", {
 *     toxiproxy: { container: "demo-toxiproxy" }, proxy: "postgres",
 *     type: "latency", latency: "300ms", jitter: "50ms", ttl: "5m",
 * });
 * ```
 */
export class ToxiproxyToxic extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:ToxiproxyToxic";

    /** The proxy the toxic is on, as given. */
    readonly proxy: string;
    /** The toxic type. */
    readonly toxicType: ToxicType;
    /** The toxic's name in Toxiproxy: `faultline.<stack>.<fault>`. */
    readonly toxicName: string;
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: how to reach the Toxiproxy API again and which toxic to remove. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: ToxiproxyToxicArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ToxiproxyToxic.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(ToxiproxyToxicSpec, args, ToxiproxyToxic.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/toxiproxyToxic"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.proxy = spec.proxy;
        this.toxicType = spec.type;
        this.toxicName = toxicName(owner);
        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({
            proxy: this.proxy,
            toxicType: this.toxicType,
            toxicName: this.toxicName,
            description: this.description,
            record: this.record,
            expiresAt: this.expiresAt,
        });
    }
}
