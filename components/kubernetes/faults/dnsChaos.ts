import { z } from "zod";
import { chaosSpec, ChaosInContainers, describeSelector, defineChaosMeshFault } from "../chaosMesh";

/** Spec of a Chaos Mesh DNSChaos: DNS answers for some domains fail or are random for the selected pods. */
export const DnsChaosSpec = chaosSpec(ChaosInContainers, {
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
});
export type DnsChaosSpec = z.infer<typeof DnsChaosSpec>;

/**
 * Chaos Mesh DNSChaos: lookups of `patterns` from the selected pods fail (`error`) or return random addresses
 * (`random`), for `duration` (default: ttl). Needs Chaos Mesh's DNS server (`--set dnsServer.create=true`).
 *
 * ```ts
 * new DnsChaos("no-payments-dns", { selector: { namespace: "shop", labels: { app: "api" } }, action: "error", patterns: ["payments.example.com"], ttl: "5m" });
 * ```
 */
export const fault = defineChaosMeshFault({
    kind: "kubernetes:dns-chaos",
    component: "DnsChaos",
    chaosKind: "DNSChaos",
    schema: DnsChaosSpec,
    failureClass: "dns",
    up: "Chaos Mesh DNSChaos: lookups of some domains fail or return random addresses",
    module: __filename,
    body: (s) => ({
        spec: { action: s.action, patterns: s.patterns },
        description: `DNS ${s.action} for ${s.patterns.join(",")} on ${describeSelector(s.selector)}`,
    }),
});
