// Unit test: the Toxiproxy fault specs alone (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { extendVariants, FaultOptionsSchema, parseArgs } from "../../../components/core/component";
import { parseSpec, SpecError } from "../../../components/core/errors";
import { DependencyDownSpec } from "../../../components/docker/faults/dependencyDown";
import {
    driver,
    toxicAttributes,
    toxicName,
    ToxiproxyToxicSpec,
} from "../../../components/docker/faults/toxiproxyToxic";
import { ExperimentSpec } from "../../../components/experiment";

function issues(schema: Parameters<typeof parseSpec>[0], input: unknown, root = "spec") {
    try {
        parseSpec(schema, input, "spec", root);
    } catch (err) {
        assert.ok(err instanceof SpecError);
        return err.issues;
    }
    assert.fail("expected a SpecError");
}

const tp = { container: "demo-toxiproxy" };
const common = { toxiproxy: tp, proxy: "db", stream: "downstream", toxicity: 1 };

describe("ToxiproxyToxicSpec", () => {
    it("parses every toxic type, with defaults, into Toxiproxy's attributes and units", () => {
        assert.deepEqual(parseSpec(ToxiproxyToxicSpec, { type: "latency", latency: " 2s ", toxiproxy: tp, proxy: "db" }, "spec"), {
            type: "latency",
            latency: "2s",
            jitter: "0ms",
            ...common,
        });
        const cases: Array<[unknown, Record<string, number>]> = [
            [{ type: "latency", latency: "300ms", jitter: "50ms" }, { latency: 300, jitter: 50 }],
            [{ type: "latency", latency: "2s" }, { latency: 2000, jitter: 0 }],
            [{ type: "bandwidth", rate: 64 }, { rate: 64 }],
            [{ type: "timeout", timeout: "0s" }, { timeout: 0 }],
            [{ type: "timeout", timeout: "5s" }, { timeout: 5000 }],
            [{ type: "reset_peer" }, { timeout: 0 }],
            [{ type: "reset_peer", timeout: "500ms" }, { timeout: 500 }],
            [{ type: "slow_close", delay: "2s" }, { delay: 2000 }],
            [{ type: "limit_data", bytes: 1024 }, { bytes: 1024 }],
            [{ type: "slicer", averageSize: 64 }, { average_size: 64, size_variation: 0, delay: 0 }],
            // The slicer's delay is in microseconds in Toxiproxy.
            [{ type: "slicer", averageSize: 64, sizeVariation: 16, delay: "0.5ms" }, { average_size: 64, size_variation: 16, delay: 500 }],
        ];
        for (const [input, attributes] of cases) {
            const spec = parseSpec(ToxiproxyToxicSpec, { ...(input as object), toxiproxy: tp, proxy: "db" }, "spec");
            assert.deepEqual(toxicAttributes(spec), attributes, JSON.stringify(input));
            // The provider validates the component's parsed spec again: parsing must be idempotent.
            assert.deepEqual(parseSpec(ToxiproxyToxicSpec, spec, "spec"), spec);
        }
    });

    it("fills stream and toxicity with Toxiproxy's defaults and normalises the URL", () => {
        assert.deepEqual(
            parseSpec(ToxiproxyToxicSpec, { type: "bandwidth", rate: 1, toxiproxy: { url: "http://127.0.0.1:8474/" }, proxy: "db" }, "spec"),
            { type: "bandwidth", rate: 1, toxiproxy: { url: "http://127.0.0.1:8474" }, proxy: "db", stream: "downstream", toxicity: 1 },
        );
    });

    it("names an unknown or missing type and lists the valid ones", () => {
        const expected = [{ path: "spec.type", message: "the toxic type: one of latency, bandwidth, timeout, reset_peer, slow_close, limit_data, slicer" }];
        assert.deepEqual(issues(ToxiproxyToxicSpec, { ...common, type: "latncy" }), expected);
        assert.deepEqual(issues(ToxiproxyToxicSpec, { ...common }), expected);
    });

    it("reports every missing field at once, each with its path", () => {
        assert.deepEqual(issues(ToxiproxyToxicSpec, { type: "latency" }), [
            { path: "spec.latency", message: 'required: the delay to add, with its unit, e.g. "300ms"' },
            { path: "spec.toxiproxy", message: 'required: where the Toxiproxy is, { container: "<name>" } or { url: "http://127.0.0.1:8474" }' },
            { path: "spec.proxy", message: "required: the name of the Toxiproxy proxy to add the toxic to (see GET /proxies or `toxiproxy-cli list`)" },
        ]);
    });

    it("refuses bare numbers, fractions of a millisecond, over-long delays, and bad stream and toxicity", () => {
        assert.deepEqual(issues(ToxiproxyToxicSpec, { ...common, type: "latency", latency: 300, jitter: "1.5ms", stream: "up", toxicity: 0 }), [
            { path: "spec.latency", message: 'write a duration with its unit, such as "300ms" or "2s" (a bare number is ambiguous: Toxiproxy counts milliseconds)' },
            { path: "spec.jitter", message: 'must be a whole number of milliseconds, e.g. "2ms", not "1.5ms"' },
            { path: "spec.stream", message: 'must be "downstream" (dependency → client) or "upstream" (client → dependency)' },
            { path: "spec.toxicity", message: "must be greater than 0 (a toxic with toxicity 0 never applies)" },
        ]);
        assert.deepEqual(issues(ToxiproxyToxicSpec, { ...common, type: "timeout", timeout: "2h", toxicity: 1.5 }), [
            { path: "spec.timeout", message: '2h is longer than 1h; for a dependency that never answers use type "timeout" with timeout "0s", or DependencyDown' },
            { path: "spec.toxicity", message: "must be at most 1 (every connection)" },
        ]);
        assert.deepEqual(issues(ToxiproxyToxicSpec, { ...common, type: "slow_close", delay: "soon" }), [
            { path: "spec.delay", message: '"soon" is not a duration; write it like "300ms", "2s" or "1m"' },
        ]);
    });

    it("checks sizes and rates", () => {
        assert.deepEqual(issues(ToxiproxyToxicSpec, { ...common, type: "slicer", averageSize: 10, sizeVariation: 10 }), [
            { path: "spec.sizeVariation", message: "must be smaller than averageSize" },
        ]);
        assert.deepEqual(issues(ToxiproxyToxicSpec, { ...common, type: "bandwidth", rate: 0 }), [{ path: "spec.rate", message: "must be at least 1 KB/s" }]);
        assert.deepEqual(issues(ToxiproxyToxicSpec, { ...common, type: "limit_data", bytes: 1.5 }), [{ path: "spec.bytes", message: "must be a whole number" }]);
        assert.deepEqual(issues(ToxiproxyToxicSpec, { ...common, type: "limit_data" }), [
            { path: "spec.bytes", message: "required: the number of bytes after which connections are closed, e.g. 1024" },
        ]);
    });

    it("takes exactly one of container or a loopback url, and rejects unknown fields", () => {
        assert.deepEqual(issues(ToxiproxyToxicSpec, { type: "reset_peer", toxiproxy: { container: "a", url: "http://localhost:1" }, proxy: "", extra: 1 }), [
            { path: "spec.toxiproxy", message: 'give exactly one of container (e.g. { container: "demo-toxiproxy" }) or url (e.g. { url: "http://127.0.0.1:8474" })' },
            { path: "spec.proxy", message: "must not be empty: give the name of a Toxiproxy proxy" },
            { path: "spec.extra", message: "unknown field; remove it or check its spelling against the documented fields" },
        ]);
        assert.deepEqual(issues(ToxiproxyToxicSpec, { type: "reset_peer", toxiproxy: { url: "http://10.0.0.1:8474" }, proxy: "db" }), [
            { path: "spec.toxiproxy.url", message: "must be an http URL on a loopback address, e.g. http://127.0.0.1:8474" },
        ]);
        assert.deepEqual(issues(ToxiproxyToxicSpec, { type: "reset_peer", toxiproxy: { url: "http://[::1]:8474", apiPort: 3 }, proxy: "db" }), [
            { path: "spec.toxiproxy.apiPort", message: "only with container; put the port in the url instead" },
        ]);
        assert.deepEqual(issues(ToxiproxyToxicSpec, { type: "reset_peer", toxiproxy: { contianer: "a" }, proxy: "db" }), [
            { path: "spec.toxiproxy.contianer", message: "unknown field; remove it or check its spelling against the documented fields" },
            { path: "spec.toxiproxy", message: 'give exactly one of container (e.g. { container: "demo-toxiproxy" }) or url (e.g. { url: "http://127.0.0.1:8474" })' },
        ]);
    });

    it("describes what it will break in one sentence", () => {
        const d = (x: object) => driver.describe(parseSpec(ToxiproxyToxicSpec, { toxiproxy: tp, proxy: "db", ...x }, "spec"));
        assert.equal(d({ type: "latency", latency: "300ms", jitter: "50ms" }), 'add 300ms ± 50ms of latency to the downstream of Toxiproxy proxy "db" (container "demo-toxiproxy")');
        assert.equal(
            d({ type: "timeout", timeout: "0s", stream: "upstream", toxicity: 0.25 }),
            'add a timeout (data stops, connections hang) to the upstream of Toxiproxy proxy "db" (container "demo-toxiproxy") on 25% of connections',
        );
    });

    it("names toxics after their owner, with only characters that are safe in a URL path", () => {
        assert.equal(toxicName({ stack: "game-day.1", fault: "slow db/primary" }), "faultline.game-day.1.slow-db-primary");
    });
});

describe("DependencyDownSpec", () => {
    it("takes a toxiproxy and a proxy, and names what is missing", () => {
        assert.deepEqual(parseSpec(DependencyDownSpec, { toxiproxy: tp, proxy: "db" }, "spec"), { toxiproxy: tp, proxy: "db" });
        assert.deepEqual(issues(DependencyDownSpec, { toxiproxy: { url: "https://127.0.0.1" } }), [
            { path: "spec.toxiproxy.url", message: "must be an http URL on a loopback address, e.g. http://127.0.0.1:8474" },
            { path: "spec.proxy", message: "required: the name of the Toxiproxy proxy to disable (see GET /proxies or `toxiproxy-cli list`)" },
        ]);
    });
});

describe("Toxiproxy faults in an experiment and in component args", () => {
    it("nests the toxic's type union in the experiment's kind union", () => {
        const exp = parseSpec(
            ExperimentSpec,
            {
                name: "deps",
                faults: [
                    { name: "slow", kind: "docker:toxiproxy-toxic", ttl: "1m", type: "latency", latency: "1s", toxiproxy: tp, proxy: "db" },
                    { name: "down", kind: "docker:dependency-down", ttl: "30s", toxiproxy: tp, proxy: "db" },
                ],
            },
            "experiment",
        );
        assert.deepEqual(exp.faults[0], { name: "slow", kind: "docker:toxiproxy-toxic", ttl: 60_000, type: "latency", latency: "1s", jitter: "0ms", ...common });
        assert.deepEqual(
            issues(ExperimentSpec, { name: "deps", faults: [{ name: "x", kind: "docker:toxiproxy-toxic", ttl: "1m", type: "slicer", toxiproxy: tp, proxy: "db" }] }, "faultline:experiment"),
            [{ path: "faultline:experiment.faults[0].averageSize", message: "required: the average size in bytes of the slices, e.g. 64" }],
        );
    });

    it("adds the fault options to every variant, so component args are checked in one pass", () => {
        const schema = extendVariants(ToxiproxyToxicSpec, FaultOptionsSchema.shape);
        assert.throws(
            () => parseArgs(schema, { type: "latency", latency: "1s", toxiproxy: tp, proxy: "db", ttl: "forever" }, "faultline:docker:ToxiproxyToxic", "slow"),
            (err: unknown) => {
                assert.ok(err instanceof pulumi.InputPropertiesError);
                assert.equal(
                    err.message,
                    'invalid arguments for faultline:docker:ToxiproxyToxic "slow":\n  - ttl: "forever" is not a duration; write it like "30s", "5m", "1h30m" or "750ms"',
                );
                return true;
            },
        );
        assert.deepEqual(parseArgs(schema, { type: "limit_data", bytes: 1, toxiproxy: tp, proxy: "db", ttl: "10s" }, "t", "n"), {
            type: "limit_data",
            bytes: 1,
            ttl: 10_000,
            ...common,
        });
    });
});
