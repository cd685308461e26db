// Stop conditions: a request or sample counts at the moment its outcome became known, a timed-out one at its
// deadline, so a hanging dependency fires a condition as a fast error does.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExperimentSpec } from "../../components/experiment";
import { withDeadline } from "../../runner/probes";
import { StopWatcher, type StopTrigger } from "../../runner/stop";

const spec = (stopConditions: unknown[], load = true) =>
    ExperimentSpec.parse({
        name: "exp",
        hypothesis: { probes: [{ name: "api", kind: "http", url: "http://127.0.0.1:1/" }] },
        ...(load ? { load: { url: "http://127.0.0.1:1/", rate: 50, timeout: "2s" } } : {}),
        stopConditions,
        timing: { ttl: "10m", duration: "30s" },
        faults: [{ name: "cut", kind: "docker:network-disconnect", container: "c", network: "n" }],
    });

describe("stop conditions", () => {
    it("error-rate: requests that timed out count at their deadline, inside the last second", () => {
        const fired: StopTrigger[] = [];
        const w = new StopWatcher(spec([{ metric: "error-rate", above: 0.5, samples: 1 }]), (t) => fired.push(t));
        // 50 req/s from 10 s on, every one hanging: each becomes known as failed 2 s after it was due.
        for (let t = 10_000; t < 12_000; t += 20) w.onLoad({ t, ok: false, latencyMs: 2000, error: "timed out after 2000 ms" });
        w.check(11_900); // nothing known yet: all deadlines are still ahead
        assert.equal(fired.length, 0);
        w.check(12_100);
        assert.equal(fired.length, 1);
        // The newest known request in the window: the one due at 10.1 s, known at 12.1 s.
        assert.equal(fired[0]!.observableAt, 12_100);
        assert.match(fired[0]!.message, /^error rate 100\.0% > 50\.0% for 1 checks in a row \(limit 1\)$/);
    });

    it("probe: consecutive failed samples fire when the last one is known", () => {
        const fired: StopTrigger[] = [];
        const w = new StopWatcher(spec([{ metric: "probe", probe: "api", samples: 3 }], false), (t) => fired.push(t));
        for (const t of [0, 100, 200]) w.onSample({ t, probe: "api", phase: "fault", ok: false, latencyMs: 1000, detail: "timed out after 1000 ms" });
        assert.deepEqual(fired.map((f) => [f.metric, f.at, f.observableAt]), [["probe", 1200, 1200]]);
    });

    it("withDeadline: a probe that never answers fails at its timeout", async () => {
        const hung = withDeadline({ name: "h", kind: "command", sample: () => new Promise(() => undefined), close: () => undefined }, 150);
        const start = performance.now();
        const r = await hung.sample();
        const took = performance.now() - start;
        assert.deepEqual(r, { ok: false, latencyMs: 150, detail: "timed out after 150 ms" });
        // Not before its timeout; the upper bound only tells "answered" from "hung", since the unit tier shares a
        // process between files and another file's module loading can hold the event loop for seconds.
        assert.ok(took >= 145 && took < 15_000, `took ${took} ms`);
    });
});
