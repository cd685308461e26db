// Unit test: partial-partition spec, rules and their iptables-restore text (no Docker).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toSpecIssues } from "../../../components/core/errors";
import { partitionRules, PartialPartitionSpec } from "../../../components/docker/faults/partialPartition";
import { restoreText, ruleComment } from "../../../components/docker/netfilter";

function issues(input: unknown) {
    const r = PartialPartitionSpec.safeParse(input);
    assert.equal(r.success, false);
    return toSpecIssues(r.error!.issues, "spec");
}

describe("PartialPartitionSpec", () => {
    it("takes a list of names, addresses and CIDR blocks, and defaults to both directions", () => {
        assert.deepEqual(PartialPartitionSpec.parse({ target: { name: "api" }, peers: ["db", "10.1.2.3", "10.9.0.0/16"] }), {
            target: { name: "api", mode: "one" },
            peers: ["db", "10.1.2.3", "10.9.0.0/16"],
            direction: "both",
        });
    });

    it("takes a selector for peers", () => {
        assert.deepEqual(PartialPartitionSpec.parse({ target: { name: "api" }, peers: { labels: { tier: "db" }, mode: "all", allowAll: true } }).peers, {
            labels: { tier: "db" },
            mode: "all",
            allowAll: true,
        });
    });

    it("reports bad peers and direction by path", () => {
        assert.deepEqual(issues({ target: { name: "api" }, peers: ["10.1.2.300", ""], direction: "up" }), [
            { path: "spec.peers[0]", message: "is neither a valid IPv4 address nor a CIDR block such as 10.1.2.0/24" },
            { path: "spec.peers[1]", message: "must not be empty: give a container name, an IPv4 address or a CIDR block" },
            { path: "spec.direction", message: "must be one of: ingress, egress, both" },
        ]);
        assert.deepEqual(issues({ target: { name: "api" }, peers: [] }), [
            { path: "spec.peers", message: "list at least one peer (a container name, an IPv4 address or a CIDR block)" },
        ]);
        assert.deepEqual(issues({ target: { name: "api" }, peers: "db" }), [
            { path: "spec.peers", message: "give a selector ({ name | nameRegex | labels, mode }) or a list of container names and IPv4 addresses" },
        ]);
    });
});

describe("partitionRules", () => {
    it("both: every packet either way, no connection state", () => {
        assert.deepEqual(partitionRules(["10.0.0.2"], "both"), [
            { table: "filter", chain: "OUTPUT", match: ["-d", "10.0.0.2/32"] },
            { table: "filter", chain: "INPUT", match: ["-s", "10.0.0.2/32"] },
        ]);
    });

    it("one direction: only packets of connections opened by that side (conntrack --ctdir ORIGINAL)", () => {
        assert.deepEqual(partitionRules(["10.0.0.2", "10.1.0.0/16"], "egress"), [
            { table: "filter", chain: "OUTPUT", match: ["-d", "10.0.0.2/32", "-m", "conntrack", "--ctdir", "ORIGINAL"] },
            { table: "filter", chain: "OUTPUT", match: ["-d", "10.1.0.0/16", "-m", "conntrack", "--ctdir", "ORIGINAL"] },
        ]);
        assert.deepEqual(partitionRules(["10.0.0.2"], "ingress"), [
            { table: "filter", chain: "INPUT", match: ["-s", "10.0.0.2/32", "-m", "conntrack", "--ctdir", "ORIGINAL"] },
        ]);
    });
});

describe("netfilter text", () => {
    it("comments name stack and fault, with only characters iptables-save prints bare", () => {
        assert.equal(ruleComment({ stack: "game-day.1", fault: "db split/x" }), "faultline:game-day.1:db-split-x");
    });

    it("renders one iptables-restore block per table, each rule inserted at the top with the comment", () => {
        const text = restoreText(
            [
                { table: "raw", chain: "OUTPUT", match: ["-p", "udp", "--dport", "53"] },
                { table: "filter", chain: "INPUT", match: ["-s", "10.0.0.2/32"] },
            ],
            "faultline:s:f",
        );
        assert.equal(
            text,
            [
                "*raw",
                '-I OUTPUT 1 -p udp --dport 53 -m comment --comment "faultline:s:f" -j DROP',
                "COMMIT",
                "*filter",
                '-I INPUT 1 -s 10.0.0.2/32 -m comment --comment "faultline:s:f" -j DROP',
                "COMMIT",
            ].join("\n"),
        );
    });
});
