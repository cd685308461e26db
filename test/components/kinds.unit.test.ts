// Unit test: every registered kind's spec parses to itself (spec/fields.ts: parsed once at the edge, the component
// and the provider's `check` validate the same value again). A kind added without a sample here fails.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOCKER_FAULTS } from "../../components/registry";

const target = { name: "web" };
const toxiproxy = { container: "demo-toxiproxy" };

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
};

describe("every kind's spec parses to itself", () => {
    for (const f of DOCKER_FAULTS) {
        it(f.kind, () => {
            const sample = SAMPLES[f.kind];
            assert.ok(sample, `add a sample spec of ${f.kind} to SAMPLES`);
            const once = f.driver.schema.parse(sample);
            assert.deepEqual(f.driver.schema.parse(once), once);
        });
    }
});
