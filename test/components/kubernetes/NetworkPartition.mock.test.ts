// Pulumi-mock test: no engine, no cluster. Checks the exact NetworkPolicy the component declares.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installMocks, only, settle } from "../../helpers/pulumiMocks";
import { expectedLabels, splitExpiry } from "../../helpers/k8sMocks";

const seen = installMocks();
const { NetworkPartition } = require("../../../components/kubernetes") as typeof import("../../../components/kubernetes");

const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("NetworkPartition (mocks)", () => {
    it("cuts all ingress and egress of the selected pods, keeping DNS, with faultline labels and expiry", async () => {
        const before = Date.now();
        const p = new NetworkPartition("web-isolated", { namespace: "shop", podSelector: { app: "web" }, ttl: "5m" });
        await settle(seen);
        const { inputs } = only(seen, POLICY, "web-isolated-policy");
        assert.equal(inputs.apiVersion, "networking.k8s.io/v1");
        assert.equal(inputs.kind, "NetworkPolicy");
        assert.equal(inputs.metadata.name, "faultline-web-isolated");
        assert.equal(inputs.metadata.namespace, "shop");
        assert.deepEqual(splitExpiry(inputs.metadata.labels, 300, before), expectedLabels("web-isolated", "kubernetes:network-partition", "network-partition"));
        assert.equal(inputs.metadata.annotations["dev.faultline.kind"], "kubernetes:network-partition");
        assert.equal(inputs.metadata.annotations["dev.faultline.expires-at"], p.expiresAt);
        assert.deepEqual(inputs.spec, {
            podSelector: { matchLabels: { app: "web" } },
            policyTypes: ["Ingress", "Egress"],
            ingress: [],
            egress: [{ ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }],
        });
        assert.equal(p.description, "cut both traffic of pods app=web in namespace shop from everything");
    });

    it("with peers, allows everyone but the peers: one NotIn per peer label, other namespaces, listed CIDRs", async () => {
        new NetworkPartition("web-from-db", {
            namespace: "shop",
            podSelector: { app: "web" },
            peers: { app: "db", tier: "data" },
            direction: "ingress",
            allowCidrs: ["10.0.0.0/8"],
            ttl: "2m",
        });
        await settle(seen);
        const { inputs } = only(seen, POLICY, "web-from-db-policy");
        assert.deepEqual(inputs.spec, {
            podSelector: { matchLabels: { app: "web" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        { podSelector: { matchExpressions: [{ key: "app", operator: "NotIn", values: ["db"] }] } },
                        { podSelector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["data"] }] } },
                        { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["shop"] }] } },
                        { ipBlock: { cidr: "10.0.0.0/8" } },
                    ],
                },
            ],
        });
    });

    it("refuses allowCidrs without peers, naming the field", () => {
        assert.throws(
            () => new NetworkPartition("cidrs", { namespace: "shop", podSelector: { app: "web" }, allowCidrs: ["10.0.0.0/8"], ttl: "1m" }),
            /  - allowCidrs: only applies with peers; without peers all traffic in direction is cut/,
        );
    });

    it("egress only, without DNS: an empty egress list denies everything", async () => {
        new NetworkPartition("web-no-egress", { namespace: "shop", podSelector: { app: "web" }, direction: "egress", allowDns: false, ttl: "1m" });
        await settle(seen);
        const { inputs } = only(seen, POLICY, "web-no-egress-policy");
        assert.deepEqual(inputs.spec, { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [] });
    });

    it("reports every mistake at once, by field, before creating anything", async () => {
        assert.throws(
            () => new NetworkPartition("bad", { namespace: "Shop", podSelector: {}, allowCidrs: ["10.0.0.0/8"], colour: "red" } as never),
            (err: Error) => {
                assert.equal(
                    err.message,
                    [
                        'invalid arguments for faultline:kubernetes:NetworkPartition "bad":',
                        "  - namespace: is not a namespace name: lowercase letters, digits and '-', at most 63",
                        "  - podSelector: give at least one label: an empty podSelector isolates every pod in the namespace",
                        '  - ttl: required: a duration such as "30s", "5m" or "1h", or a number of milliseconds',
                        "  - colour: unknown field; remove it or check its spelling against the documented fields",
                    ].join("\n"),
                );
                return true;
            },
        );
        await settle(seen);
        assert.deepEqual(seen.filter((r) => r.name.startsWith("bad-")), [], "no child was created");
    });
});
