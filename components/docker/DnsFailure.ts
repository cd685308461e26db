import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { DnsFailureSpec, driver } from "./drivers/dnsFailure";
import type { ContainerSelector } from "./selector";

/** Arguments of {@link DnsFailure}. */
export interface DnsFailureArgs extends FaultOptions {
    /**
     * The containers whose DNS queries are dropped: a selector by `name`, `nameRegex` or `labels`, with a
     * blast-radius `mode` (`one` by default, `fixed`, `percent`, or `all` with `allowAll: true`).
     */
    target: z.input<typeof ContainerSelector>;
}

/**
 * A DNS failure: every DNS query the targets send (UDP and TCP port 53, to Docker's embedded resolver or any other)
 * is dropped, so name lookups fail while traffic to IP addresses keeps working.
 *
 * `pulumi up` inserts two iptables DROP rules into the `raw` table of each target's network namespace (before
 * Docker's DNAT to its resolver's real port), commented `faultline:<stack>:<fault>`; `pulumi destroy` deletes
 * them. After `ttl`, a reaper container deletes them on its own.
 *
 * ```ts
 * new DnsFailure("api-dns", { target: { name: "api" }, ttl: "2m" });
 * ```
 */
export class DnsFailure extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:DnsFailure";

    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: targets and the rules' comment. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: DnsFailureArgs, opts?: pulumi.ComponentResourceOptions) {
        super(DnsFailure.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(DnsFailureSpec, args, DnsFailure.type, name, driver.kind);

        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/dnsFailure"), kind: driver.kind, spec, owner, ttlMs },
            { parent: this },
        );

        this.description = driver.describe(spec);
        this.record = fault.record;
        this.expiresAt = fault.expiresAt;
        this.registerOutputs({ description: this.description, record: this.record, expiresAt: this.expiresAt });
    }
}
