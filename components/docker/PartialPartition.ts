import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { driver, PartialPartitionSpec } from "./drivers/partialPartition";
import type { ContainerSelector } from "./selector";

/** Arguments of {@link PartialPartition}. */
export interface PartialPartitionArgs extends FaultOptions {
    /**
     * The containers whose network namespace gets the DROP rules: a selector by `name`, `nameRegex` or `labels`,
     * with a blast-radius `mode` (`one` by default, `fixed`, `percent`, or `all` with `allowAll: true`).
     */
    target: z.input<typeof ContainerSelector>;
    /**
     * The other side of the partition: a selector (its `mode` picks how many matches are peers), or a list of
     * container names/IDs, IPv4 addresses and IPv4 CIDR blocks. Containers are resolved to all their IPv4 addresses
     * when the fault is injected; the resolved addresses are in `record`. A target is never cut off from itself.
     */
    peers: string[] | z.input<typeof ContainerSelector>;
    /**
     * Which traffic is cut, seen from the target: `egress` (connections the target opens to the peers, including
     * ones already open), `ingress` (connections the peers open to the target), or `both` (every packet either way).
     * Defaults to `both`.
     */
    direction?: "ingress" | "egress" | "both";
}

/**
 * A partial partition: the targets stop talking to some peers while they still reach everything else.
 *
 * `pulumi up` inserts iptables DROP rules into each target's network namespace (from a short-lived helper
 * container with NET_ADMIN only; the target's image needs nothing), each rule commented
 * `faultline:<stack>:<fault>`; `pulumi destroy` deletes exactly the rules with that comment. After `ttl`, a reaper
 * container deletes them on its own.
 *
 * ```ts
 * new PartialPartition("api-db-split", { target: { name: "api" }, peers: ["db"], direction: "both", ttl: "5m" });
 * ```
 */
export class PartialPartition extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:PartialPartition";

    /** Which traffic is cut. */
    readonly direction: "ingress" | "egress" | "both";
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: targets, resolved peer addresses and the rules' comment. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: PartialPartitionArgs, opts?: pulumi.ComponentResourceOptions) {
        super(PartialPartition.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(PartialPartitionSpec, args, PartialPartition.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/partialPartition"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.direction = spec.direction;
        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({ direction: this.direction, description: this.description, record: this.record, expiresAt: this.expiresAt });
    }
}
