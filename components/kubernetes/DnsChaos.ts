import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ChaosCommon, ChaosMeshFault, ContainerNames, describeSelector, type ChaosMeshArgs } from "./chaosMesh";

/** Spec of a Chaos Mesh DNSChaos: DNS answers for some domains fail or are random for the selected pods. */
export const DnsChaosSpec = z
    .object({
        ...ChaosCommon,
        /** `error`: lookups fail; `random`: lookups return random IPs. */
        action: z.enum(["error", "random"], { error: "must be error or random" }),
        /**
         * Domain patterns, e.g. `["payments.example.com", "*.s3.amazonaws.com"]`. Required: Chaos Mesh reads an
         * empty list as every domain.
         */
        patterns: z
            .array(z.string().regex(/^[A-Za-z0-9*?.-]+$/, "is not a domain pattern (letters, digits, '.', '-', '*' and '?')"), {
                error: "required: the domain patterns to break; Chaos Mesh reads an empty list as every domain",
            })
            .min(1, "give at least one domain pattern; Chaos Mesh reads an empty list as every domain"),
        /** Containers affected; all when left out. */
        containerNames: ContainerNames.optional(),
    })
    .strict();
export type DnsChaosSpec = z.infer<typeof DnsChaosSpec>;

/** Arguments of {@link DnsChaos}. */
export interface DnsChaosArgs extends ChaosMeshArgs {
    /** `error` or `random`. */
    action: "error" | "random";
    /** Domain patterns to break (at least one). */
    patterns: string[];
    /** Containers affected; all when left out. */
    containerNames?: string[];
}

/**
 * Chaos Mesh DNSChaos: lookups of `patterns` from the selected pods fail (`error`) or return random addresses
 * (`random`), for `duration` (default: ttl). Needs Chaos Mesh's DNS server (`--set dnsServer.create=true`).
 *
 * ```ts
 * new DnsChaos("no-payments-dns", { selector: { namespace: "shop", labels: { app: "api" } }, action: "error", patterns: ["payments.example.com"], ttl: "5m" });
 * ```
 */
export class DnsChaos extends ChaosMeshFault {
    static readonly type = "faultline:kubernetes:DnsChaos";
    static readonly kind = "kubernetes:dns-chaos";

    constructor(name: string, args: DnsChaosArgs, opts?: pulumi.ComponentResourceOptions) {
        super(DnsChaos.type, "DNSChaos", DnsChaos.kind, DnsChaosSpec, name, args, (s: DnsChaosSpec) => ({
            spec: { action: s.action, patterns: s.patterns, ...(s.containerNames ? { containerNames: s.containerNames } : {}) },
            description: `DNS ${s.action} for ${s.patterns.join(",")} on ${describeSelector(s.selector)}`,
        }), opts);
    }
}
