// Unit test: every registered kind's spec parses to itself (spec/fields.ts: parsed once at the edge, the component
// and the provider's `check` validate the same value again). A kind added without a sample here fails.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schemaOf } from "../../components/core/defineFault";
import { FAULTS } from "../../components/registry";

const target = { name: "web" };
const toxiproxy = { container: "demo-toxiproxy" };
const selector = { namespace: "shop", labels: { app: "web" } };

/** A spec as a user writes it (strings with units), per kind. */
const SAMPLES: Record<string, Record<string, unknown>> = {
    "docker:network-disconnect": { container: "web", network: "backend" },
    "docker:partial-partition": { target, peers: { name: "db" }, direction: "both" },
    "docker:bandwidth": { target, rate: "1mbit" },
    "docker:netem": { target, delay: "100ms", jitter: "10ms", loss: 5 },
    "docker:dns-failure": { target },
    "docker:toxiproxy-toxic": { type: "latency", latency: "300ms", jitter: "50ms", toxiproxy, proxy: "postgres" },
    "docker:dependency-down": { toxiproxy, proxy: "postgres" },
    "docker:http-fault": { target, port: 8080, routes: [{ path: "/orders", method: "POST", status: 503, share: "30%" }, { delay: "2s", share: 0.5 }] },
    "docker:cpu-stress": { target, workers: 2, load: 80 },
    "docker:memory-stress": { target, bytes: "64MiB" },
    "docker:disk-fill": { target, bytes: "100MiB" },
    "docker:io-stress": { target, workers: 2, bytesPerWorker: "16MiB" },
    "docker:clock-skew": { target, offset: "-1h30m" },
    "docker:container-kill": { target, signal: "SIGTERM" },
    "docker:container-stop": { target, graceSeconds: 5 },
    "docker:container-restart": { target, graceSeconds: 5 },
    "docker:container-pause": { target },
    "docker:process-kill": { target, process: "worker" },
    "docker:resource-limits": { target, cpus: 0.5, memory: "256m" },
    "kubernetes:network-partition": { namespace: "shop", podSelector: { app: "web" }, peers: { app: "db" } },
    "kubernetes:pod-kill": { selector },
    "kubernetes:node-throttle": { nodes: ["worker-1"], stress: { namespace: "chaos", cpu: { workers: 1 }, limits: { cpu: "1", memory: "128Mi" } } },
    "kubernetes:network-chaos": { selector, action: "delay", delay: { latency: "100ms" }, duration: "2m" },
    "kubernetes:stress-chaos": { selector, cpu: { workers: 1, load: 50 } },
    "kubernetes:time-chaos": { selector, timeOffset: "-1h" },
    "kubernetes:dns-chaos": { selector, action: "error", patterns: ["payments.example.com"] },
    "kubernetes:io-chaos": { selector, action: "latency", volumePath: "/data", delay: "100ms" },
    "aws:fis-experiment": {
        description: "one web instance stops for 5 minutes",
        actions: [{ name: "stop-web", action: "ec2:stop-instances", target: { tags: { app: "web" } }, restartAfter: "5m" }],
        stopCondition: { alarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-5xx" },
        run: { startTimeout: "2m", pollInterval: "10s" },
    },
    "aws:fis-experiment-run": { templateId: "EXT1a2b3c4d5e6f7", region: "eu-west-1", stopTimeout: "15m" },
};

describe("every kind's spec parses to itself", () => {
    for (const f of FAULTS) {
        it(f.kind, () => {
            const sample = SAMPLES[f.kind];
            assert.ok(sample, `add a sample spec of ${f.kind} to SAMPLES`);
            const once = schemaOf(f).parse(sample);
            assert.deepEqual(schemaOf(f).parse(once), once);
        });
    }
});
