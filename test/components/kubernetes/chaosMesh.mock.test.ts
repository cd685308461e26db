// Pulumi-mock test: no engine, no cluster. Checks the exact Chaos Mesh custom resources the components declare.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installMocks, only, settle } from "../../helpers/pulumiMocks";
import { expectedLabels, maskExpiry, splitExpiry } from "../../helpers/k8sMocks";
import { matchSnapshot } from "../../helpers/snapshot";

const seen = installMocks();
const k = require("../../../components/kubernetes") as typeof import("../../../components/kubernetes");

const CR = "kubernetes:chaos-mesh.org/v1alpha1:";

describe("Chaos Mesh components (mocks)", () => {
    it("NetworkChaos delay: selector, mode, value, target, delay and duration = ttl", async () => {
        const before = Date.now();
        const c = new k.NetworkChaos("web-latency", {
            selector: { namespace: "shop", labels: { app: "web" }, mode: "fixed-percent", value: 50 },
            action: "delay",
            delay: { latency: "200ms", jitter: "20ms", correlation: 25 },
            direction: "both",
            target: { namespace: "shop", labels: { app: "db" }, mode: "all", allowAll: true },
            ttl: "5m",
        });
        await settle(seen);
        const { inputs } = only(seen, `${CR}NetworkChaos`, "web-latency-chaos");
        assert.equal(inputs.apiVersion, "chaos-mesh.org/v1alpha1");
        assert.equal(inputs.metadata.name, "faultline-web-latency");
        assert.equal(inputs.metadata.namespace, "shop");
        assert.deepEqual(splitExpiry(inputs.metadata.labels, 300, before), expectedLabels("web-latency", "kubernetes:network-chaos", "chaos-mesh"));
        assert.deepEqual(inputs.spec, {
            selector: { namespaces: ["shop"], labelSelectors: { app: "web" } },
            mode: "fixed-percent",
            value: "50",
            action: "delay",
            direction: "both",
            target: { selector: { namespaces: ["shop"], labelSelectors: { app: "db" } }, mode: "all" },
            delay: { latency: "200ms", jitter: "20ms", correlation: "25" },
            duration: "5m",
        });
        assert.equal(c.description, "network delay by 200ms on fixed-percent 50 of app=web in namespace shop both all pods of app=db in namespace shop");
    });

    it("NetworkChaos loss, partition and bandwidth carry exactly their own detail", async () => {
        new k.NetworkChaos("db-loss", { selector: { namespace: "shop", labels: { app: "db" } }, action: "loss", loss: { loss: 30 }, duration: "1m", ttl: "2m" });
        new k.NetworkChaos("db-cut", { selector: { namespace: "shop", labels: { app: "db" } }, action: "partition", externalTargets: ["10.1.0.0/16"], ttl: "2m" });
        new k.NetworkChaos("db-slow", { selector: { namespace: "shop", pods: ["db-0"] }, action: "bandwidth", bandwidth: { rate: "1mbps", limit: 20971520, buffer: 10000 }, ttl: "90s" });
        await settle(seen);
        const spec = (n: string) => only(seen, `${CR}NetworkChaos`, `${n}-chaos`).inputs.spec;
        assert.deepEqual(spec("db-loss"), { selector: { namespaces: ["shop"], labelSelectors: { app: "db" } }, mode: "one", action: "loss", direction: "to", loss: { loss: "30" }, duration: "1m" });
        assert.deepEqual(spec("db-cut"), { selector: { namespaces: ["shop"], labelSelectors: { app: "db" } }, mode: "one", action: "partition", direction: "to", externalTargets: ["10.1.0.0/16"], duration: "2m" });
        assert.deepEqual(spec("db-slow"), {
            selector: { namespaces: ["shop"], pods: { shop: ["db-0"] } },
            mode: "one",
            action: "bandwidth",
            direction: "to",
            bandwidth: { rate: "1mbps", limit: 20971520, buffer: 10000 },
            duration: "90s",
        });
    });

    it("StressChaos, TimeChaos, DNSChaos and IOChaos", async () => {
        new k.StressChaos("api-stress", { selector: { namespace: "shop", labels: { app: "api" } }, cpu: { workers: 2, load: 80 }, memory: { workers: 1, size: "256MB" }, containerNames: ["api"], ttl: "10m" });
        new k.TimeChaos("api-skew", { selector: { namespace: "shop", labels: { app: "api" } }, timeOffset: "-10m", clockIds: ["CLOCK_REALTIME"], ttl: "5m" });
        new k.DnsChaos("api-dns", { selector: { namespace: "shop", labels: { app: "api" }, mode: "fixed", value: 2 }, action: "error", patterns: ["payments.example.com"], ttl: "5m" });
        new k.IoChaos("db-io", { selector: { namespace: "shop", labels: { app: "db" } }, action: "latency", volumePath: "/var/lib/postgresql", delay: "50ms", percent: 50, methods: ["read", "write"], ttl: "5m" });
        await settle(seen);
        const sel = (app: string) => ({ selector: { namespaces: ["shop"], labelSelectors: { app } }, mode: "one" });
        assert.deepEqual(only(seen, `${CR}StressChaos`).inputs.spec, {
            ...sel("api"),
            stressors: { cpu: { workers: 2, load: 80 }, memory: { workers: 1, size: "256MB" } },
            containerNames: ["api"],
            duration: "10m",
        });
        assert.deepEqual(only(seen, `${CR}TimeChaos`).inputs.spec, { ...sel("api"), timeOffset: "-10m", clockIds: ["CLOCK_REALTIME"], duration: "5m" });
        assert.deepEqual(only(seen, `${CR}DNSChaos`).inputs.spec, {
            selector: { namespaces: ["shop"], labelSelectors: { app: "api" } },
            mode: "fixed",
            value: "2",
            action: "error",
            patterns: ["payments.example.com"],
            duration: "5m",
        });
        assert.deepEqual(only(seen, `${CR}IOChaos`).inputs.spec, {
            ...sel("db"),
            action: "latency",
            volumePath: "/var/lib/postgresql",
            percent: 50,
            delay: "50ms",
            methods: ["read", "write"],
            duration: "5m",
        });
        matchSnapshot("kubernetes-chaos-mesh", seen.filter((r) => r.type.startsWith(CR)).sort((a, b) => a.name.localeCompare(b.name)).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs })), maskExpiry);
    });

    it("blast radius and duration are checked before anything is created", () => {
        assert.throws(
            () => new k.StressChaos("all-pods", { selector: { namespace: "shop", labels: { app: "api" }, mode: "all" }, cpu: { workers: 1 }, ttl: "5m" }),
            /  - selector\.allowAll: mode "all" hits every matching pod, ready or not; set allowAll: true to confirm, or use another mode/,
        );
        assert.throws(
            () => new k.TimeChaos("no-selector", { selector: { namespace: "shop" }, timeOffset: "1h", ttl: "5m" }),
            /  - selector: give labels, expressions or pods: an empty selector matches every pod in the namespace/,
        );
        assert.throws(
            () => new k.DnsChaos("pct", { selector: { namespace: "shop", labels: { a: "b" }, mode: "fixed-percent" }, action: "random", patterns: ["x.com"], ttl: "5m" }),
            /  - selector\.value: required when mode is "fixed-percent"/,
        );
        assert.throws(
            () => new k.NetworkChaos("long", { selector: { namespace: "shop", labels: { a: "b" } }, action: "loss", loss: { loss: 10 }, duration: "10m", ttl: "5m" }),
            /  - duration: 10m is longer than the ttl \(5m\); shorten it or raise ttl/,
        );
        assert.throws(
            () => new k.NetworkChaos("no-delay", { selector: { namespace: "shop", labels: { a: "b" } }, action: "delay", loss: { loss: 1 }, ttl: "5m" }),
            (err: Error) => /  - delay: required when action is "delay"/.test(err.message) && /  - loss: only applies to action "loss"; remove it/.test(err.message),
        );
        assert.throws(
            () => new k.IoChaos("io", { selector: { namespace: "shop", labels: { a: "b" } }, action: "fault", volumePath: "data", ttl: "5m" }),
            /  - volumePath: must be an absolute path/,
        );
    });
});
