import { isIPv4 } from "node:net";
import { z } from "zod";
import { dockerClient, isNotFound } from "../../core/docker";
import type { FaultDriver } from "../../core/driver";
import { FaultError, issuesOf } from "../../core/errors";
import { ownerLabels, type FaultOwner } from "../../core/labels";
import { addRules, deleteRules, observeRules, revertRules, ruleComment, type DropRule } from "../netfilter";
import { injectAll, selectTargets, type NetnsTarget } from "../netns";
import { ContainerSelector, selectContainers } from "../selector";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** An IPv4 address, or an IPv4 CIDR block such as 10.1.2.0/24. */
function isIPv4OrCidr(s: string): boolean {
    const [ip, bits, extra] = s.split("/");
    if (extra !== undefined || !ip || !isIPv4(ip)) return false;
    return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32);
}

/** A peer given by hand: a container name or ID, an IPv4 address or an IPv4 CIDR block. */
const PeerRef = z
    .string({ error: "each peer must be a container name or ID, an IPv4 address or an IPv4 CIDR block" })
    .min(1, "must not be empty: give a container name, an IPv4 address or a CIDR block")
    .refine((s) => !/^[\d./]+$/.test(s) || isIPv4OrCidr(s), "is neither a valid IPv4 address nor a CIDR block such as 10.1.2.0/24");

/** Spec of a partial partition: the targets stop talking to some peers, while everything else keeps working. */
export const PartialPartitionSpec = z
    .object({
        /** The containers whose network namespace gets the DROP rules (selector and blast radius). */
        target: ContainerSelector,
        /**
         * The other side: a selector (its `mode` picks how many of the matches are peers), or a list of container
         * names/IDs, IPv4 addresses and CIDR blocks. Containers are resolved to all their IPv4 addresses at injection.
         */
        peers: z.union(
            [z.array(PeerRef).min(1, "list at least one peer (a container name, an IPv4 address or a CIDR block)"), ContainerSelector],
            { error: "give a selector ({ name | nameRegex | labels, mode }) or a list of container names and IPv4 addresses" },
        ),
        /**
         * Which traffic is cut, seen from the target: `egress` (connections the target opens to peers), `ingress`
         * (connections peers open to the target), or `both` (every packet either way). Defaults to `both`.
         */
        direction: z.enum(["ingress", "egress", "both"], { error: "must be one of: ingress, egress, both" }).default("both"),
    })
    .strict();
export type PartialPartitionSpec = z.infer<typeof PartialPartitionSpec>;

/** A peer as resolved at injection: what was asked for, and the addresses it stood for then. */
export interface ResolvedPeer {
    /** The container name, or the address as given. */
    ref: string;
    /** IPv4 addresses or CIDR blocks. */
    ips: string[];
}

/** Everything revert needs: where the rules are and the comment that marks them. */
export interface PartialPartitionRecord {
    targets: NetnsTarget[];
    peers: ResolvedPeer[];
    direction: PartialPartitionSpec["direction"];
    /** The comment on every rule of this fault (`faultline:<stack>:<fault>`). */
    comment: string;
    owner: FaultOwner;
}

/** IPv4 addresses of a container on all its networks. */
async function containerIps(ref: string, field: string): Promise<{ name: string; ips: string[] }> {
    let info;
    try {
        info = await dockerClient().getContainer(ref).inspect();
    } catch (err) {
        if (isNotFound(err)) throw new FaultError(field, `no such container "${ref}"; list containers with \`docker ps\``);
        throw err;
    }
    const name = info.Name.replace(/^\//, "");
    const ips = Object.values(info.NetworkSettings.Networks ?? {})
        .map((n) => n.IPAddress)
        .filter((ip): ip is string => !!ip);
    if (ips.length === 0) {
        throw new FaultError(field, `container "${name}" has no IPv4 address (is it running, and on a network?); start it or list addresses instead`);
    }
    return { name, ips };
}

/** Resolves the peers to addresses. */
export async function resolvePeers(peers: PartialPartitionSpec["peers"]): Promise<ResolvedPeer[]> {
    if (!Array.isArray(peers)) {
        const selected = await selectContainers(peers, "spec.peers");
        return Promise.all(selected.map(async (c) => ({ ref: c.name, ips: (await containerIps(c.id, "spec.peers")).ips })));
    }
    return Promise.all(
        peers.map(async (p, i) => (isIPv4OrCidr(p) ? { ref: p, ips: [p] } : { ref: p, ips: (await containerIps(p, `spec.peers[${i}]`)).ips })),
    );
}

/**
 * The DROP rules for one target. One direction only is stateful: conntrack's `--ctdir ORIGINAL` matches the
 * packets of connections opened by the sender, so for `egress` the target's new and already-open connections to
 * a peer die while the peer's connections to the target still get their replies (and the other way for `ingress`).
 */
export function partitionRules(peerIps: string[], direction: PartialPartitionSpec["direction"]): DropRule[] {
    const cidr = (ip: string) => (ip.includes("/") ? ip : `${ip}/32`);
    const state = direction === "both" ? [] : ["-m", "conntrack", "--ctdir", "ORIGINAL"];
    const rules: DropRule[] = [];
    for (const ip of peerIps) {
        if (direction !== "ingress") rules.push({ table: "filter", chain: "OUTPUT", match: ["-d", cidr(ip), ...state] });
        if (direction !== "egress") rules.push({ table: "filter", chain: "INPUT", match: ["-s", cidr(ip), ...state] });
    }
    return rules;
}

/** The peer addresses that apply to `target`: a container is never cut off from itself. */
async function peerIpsFor(t: NetnsTarget, peers: ResolvedPeer[]): Promise<string[]> {
    const own = new Set((await containerIps(t.id, "spec.target")).ips);
    return [...new Set(peers.flatMap((p) => p.ips))].filter((ip) => !own.has(ip));
}

/** The DROP rules of one target; refuses peers that are only the target itself. */
async function rulesFor(t: NetnsTarget, peers: ResolvedPeer[], direction: PartialPartitionSpec["direction"]): Promise<DropRule[]> {
    const ips = await peerIpsFor(t, peers);
    if (ips.length === 0) throw new FaultError("spec.peers", `the peers of "${t.name}" are only itself; pick other peers`);
    return partitionRules(ips, direction);
}

function directionText(d: PartialPartitionSpec["direction"]): string {
    return d === "both" ? "in both directions" : d === "egress" ? "for connections the target opens" : "for connections the peers open";
}

export const driver: FaultDriver<PartialPartitionSpec, PartialPartitionRecord, z.input<typeof PartialPartitionSpec>> = {
    kind: "docker:partial-partition",
    target: "docker",
    schema: PartialPartitionSpec,

    describe: (spec) => {
        const peers = Array.isArray(spec.peers) ? spec.peers.join(", ") : "the selected peer containers";
        return `drop traffic between the selected containers and ${peers} ${directionText(spec.direction)} (iptables in the target's network namespace)`;
    },

    async checkTargets(spec) {
        // The peers as the injection will resolve them: each container there, and with an address to cut.
        const [target, peers] = await Promise.all([selectorTargets(spec.target), issuesOf(() => resolvePeers(spec.peers))]);
        return [...target, ...peers];
    },

    async plan(spec) {
        return (await selectContainers(spec.target, "spec.target")).map((c) => ({ name: c.name, labels: c.labels }));
    },

    async prepare(spec, ctx) {
        const [targets, peers] = await Promise.all([selectTargets(spec.target, "spec.target"), resolvePeers(spec.peers)]);
        await Promise.all(targets.map((t) => rulesFor(t, peers, spec.direction)));
        // The rule comment, chosen from the owner, names every rule before one exists.
        return { targets, peers, direction: spec.direction, comment: ruleComment(ctx.owner), owner: ctx.owner };
    },

    async apply(record) {
        const labels = ownerLabels(record.owner);
        await injectAll(
            record.targets,
            async (t) => addRules(t, await rulesFor(t, record.peers, record.direction), record.comment, labels, "spec.peers"),
            (t) => deleteRules(t, record.comment, labels),
        );
    },

    revert: (record, ctx) => revertRules(record, ctx),

    observe: (record) => observeRules(record, "partition rules"),
};

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
export const fault = defineFault({
    failureClass: "dependency-outage",
    component: "PartialPartition",
    up: "iptables DROP between two sets of containers, ingress, egress or both, inside the target's namespace",
    revert: "deletes exactly its rules (tagged by comment)",
    docs: "[network](docs/network-faults.md)",
    module: __filename,
    driver,
    fields: (spec) => ({ direction: spec.direction }),
});
