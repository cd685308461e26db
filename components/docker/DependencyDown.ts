import * as pulumi from "@pulumi/pulumi";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { DependencyDownSpec, driver } from "./drivers/dependencyDown";
import type { ToxiproxyRef } from "./toxiproxy";

/** Arguments of {@link DependencyDown}. */
export interface DependencyDownArgs extends FaultOptions {
    /**
     * Where the Toxiproxy is: `{ container: "demo-toxiproxy" }` (a container on this Docker engine; add
     * `apiPort` if its API is not on 8474) or `{ url: "http://127.0.0.1:8474" }` (an API on a loopback address).
     */
    toxiproxy: ToxiproxyRef;
    /** Name of the Toxiproxy proxy in front of the dependency. It must exist when the fault is injected. */
    proxy: string;
}

/**
 * The dependency is down: its Toxiproxy proxy is disabled, so clients' connections are refused and open ones cut.
 *
 * `pulumi up` disables the proxy and records whether it was enabled; `pulumi destroy` re-enables it, but only if
 * this fault disabled it (a proxy that was already disabled stays so). After `ttl`, a reaper container in the
 * Toxiproxy container's network namespace re-enables it on its own.
 *
 * ```ts
 * new DependencyDown("db-down", { toxiproxy: { container: "demo-toxiproxy" }, proxy: "postgres", ttl: "2m" });
 * ```
 */
export class DependencyDown extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:DependencyDown";

    /** The proxy that is disabled, as given. */
    readonly proxy: string;
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: how to reach the Toxiproxy API again and whether the proxy was enabled. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: DependencyDownArgs, opts?: pulumi.ComponentResourceOptions) {
        super(DependencyDown.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(DependencyDownSpec, args, DependencyDown.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/dependencyDown"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.proxy = spec.proxy;
        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({ proxy: this.proxy, description: this.description, record: this.record, expiresAt: this.expiresAt });
    }
}
