import * as pulumi from "@pulumi/pulumi";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { driver, NetworkDisconnectSpec } from "./drivers/networkDisconnect";

/** Arguments of {@link NetworkDisconnect}. */
export interface NetworkDisconnectArgs extends FaultOptions {
    /** Name or ID of the container to cut off. It must be attached to `network` when the fault is injected. */
    container: string;
    /** Name or ID of the Docker network to cut it off from. */
    network: string;
}

/**
 * A network partition: one container cut off one Docker network.
 *
 * `pulumi up` disconnects the container and records exactly how it was attached (aliases, IPv4/IPv6 address, links,
 * MAC address); `pulumi destroy` reconnects it that way. If the container was removed in the meantime, destroy warns
 * and succeeds, because there is nothing left to restore. After `ttl`, a reaper container reconnects it on its own.
 *
 * ```ts
 * new NetworkDisconnect("db-partition", { container: "demo-db", network: "demo-backend", ttl: "5m" });
 * ```
 */
export class NetworkDisconnect extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:NetworkDisconnect";

    /** The container that is cut off, as given. */
    readonly container: string;
    /** The network it is cut off from, as given. */
    readonly network: string;
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: how the container was attached before the fault. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: NetworkDisconnectArgs, opts?: pulumi.ComponentResourceOptions) {
        super(NetworkDisconnect.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(NetworkDisconnectSpec, args, NetworkDisconnect.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/networkDisconnect"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.container = spec.container;
        this.network = spec.network;
        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({
            container: this.container,
            network: this.network,
            description: this.description,
            record: this.record,
            expiresAt: this.expiresAt,
        });
    }
}
