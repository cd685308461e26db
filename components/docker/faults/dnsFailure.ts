import { z } from "zod";
import type { FaultDriver } from "../../core/driver";
import { ownerLabels, type FaultOwner } from "../../core/labels";
import { addRules, deleteRules, observeRules, revertRules, ruleComment, type DropRule } from "../netfilter";
import { injectAll, selectTargets, type NetnsTarget } from "../netns";
import { ContainerSelector, selectContainers } from "../selector";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Spec of a DNS failure: the targets' name lookups fail, while traffic to IP addresses keeps working. */
export const DnsFailureSpec = z
    .object({
        /** The containers whose DNS queries are dropped (selector and blast radius). */
        target: ContainerSelector,
    })
    .strict();
export type DnsFailureSpec = z.infer<typeof DnsFailureSpec>;

/** Everything revert needs: where the rules are and the comment that marks them. */
export interface DnsFailureRecord {
    targets: NetnsTarget[];
    /** The comment on every rule of this fault (`faultline:<stack>:<fault>`). */
    comment: string;
    owner: FaultOwner;
}

/**
 * The rules: every DNS query the target sends (UDP and TCP port 53) is dropped. They sit in the `raw` table,
 * which sees a packet before Docker's NAT does: Docker's embedded resolver listens on 127.0.0.11 at a random port,
 * and a `nat OUTPUT` DNAT rewrites port 53 to it, so by the time a packet reaches `filter OUTPUT` it no longer has
 * port 53. In `raw` the same two rules also catch queries to any other resolver (custom `--dns`, default bridge).
 */
export const DNS_RULES: DropRule[] = [
    { table: "raw", chain: "OUTPUT", match: ["-p", "udp", "--dport", "53"] },
    { table: "raw", chain: "OUTPUT", match: ["-p", "tcp", "--dport", "53"] },
];

export const driver: FaultDriver<DnsFailureSpec, DnsFailureRecord, z.input<typeof DnsFailureSpec>> = {
    kind: "docker:dns-failure",
    target: "docker",
    schema: DnsFailureSpec,

    describe: () => "drop every DNS query of the selected containers (UDP and TCP port 53), so name lookups fail while IP traffic works",

    checkTargets: (spec) => selectorTargets(spec.target),

    async plan(spec) {
        return (await selectContainers(spec.target, "spec.target")).map((c) => ({ name: c.name, labels: c.labels }));
    },

    async prepare(spec, ctx) {
        // The rule comment, chosen from the owner, names every rule before one exists.
        return { targets: await selectTargets(spec.target, "spec.target"), comment: ruleComment(ctx.owner), owner: ctx.owner };
    },

    async apply(record) {
        const labels = ownerLabels(record.owner);
        await injectAll(
            record.targets,
            (t) => addRules(t, DNS_RULES, record.comment, labels, "spec.target"),
            (t) => deleteRules(t, record.comment, labels),
        );
    },

    revert: (record, ctx) => revertRules(record, ctx),

    observe: (record) => observeRules(record, "DNS drop rules"),
};

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
export const fault = defineFault({
    failureClass: "dns",
    component: "DnsFailure",
    up: "drops the target's DNS (in the `raw` table: Docker rewrites port 53 before `filter`)",
    revert: "deletes its rules",
    docs: "[network](docs/network-faults.md)",
    module: __filename,
    driver,
});
