// The built-in load generator against a local HTTP server on 127.0.0.1; every run is bounded in count and time.
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startLoad } from "../../../runner/load/generator";
import { LatencyHistogram } from "../../../runner/load/histogram";
import type { LoadOptions, LoadResult } from "../../../runner/load/types";

describe("built-in open-model load generator", { timeout: 60_000 }, () => {
    let server: http.Server;
    let base = "";
    /** Requests the server received, by path: tests may overlap, so each counts its own path. */
    const received = new Map<string, number>();
    before(async () => {
        server = http.createServer((req, res) => {
            received.set(req.url ?? "", (received.get(req.url ?? "") ?? 0) + 1);
            if (req.url === "/fail") return void res.writeHead(500).end("no");
            if (req.url === "/slow") return void setTimeout(() => res.writeHead(200).end("ok"), 300);
            if (req.url === "/hang") return; // never answers
            res.writeHead(200).end("ok");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => {
        server.closeAllConnections();
        server.close();
    });

    const opts = (o: Partial<LoadOptions>): LoadOptions => ({
        url: `${base}/`,
        method: "GET",
        rate: 100,
        timeoutMs: 1000,
        maxInFlight: 50,
        maxRequests: 10_000,
        maxDurationMs: 1000,
        ...o,
    });

    it("holds a constant arrival rate, bounded by time", async () => {
        const results: LoadResult[] = [];
        // A generous timeout: the test machine may be loaded, and this test is about the schedule, not latency.
        const report = await startLoad(opts({ url: `${base}/rate`, rate: 50, maxInFlight: 200, timeoutMs: 10_000, maxDurationMs: 1000, onResult: (r) => results.push(r) })).done;
        // Exactly rate x time arrivals, every one answered and seen by the server.
        assert.equal(report.scheduled, 50);
        assert.equal(report.completed, 50);
        assert.equal(report.ok, 50);
        assert.equal(received.get("/rate"), 50);
        assert.equal(report.latency.count, 50);
        // Due times follow the schedule exactly: 20 ms apart at 50/s.
        const ts = results.map((r) => r.t).sort((a, b) => a - b);
        assert.ok(Math.abs(ts[25]! - ts[0]! - 500) < 1, `spacing: ${ts[25]! - ts[0]!}`);
    });

    it("stops at maxRequests before the time bound", async () => {
        const started = performance.now();
        const report = await startLoad(opts({ rate: 100, maxRequests: 25, maxDurationMs: 10_000 })).done;
        assert.equal(report.scheduled, 25);
        assert.ok(performance.now() - started < 5000, "ended by count, not by the 10 s bound");
    });

    it("counts error statuses and timeouts as errors, with their reason", async () => {
        const failing = await startLoad(opts({ url: `${base}/fail`, rate: 50, maxRequests: 10 })).done;
        assert.deepEqual([failing.ok, failing.errors], [0, 10]);
        const errs: LoadResult[] = [];
        const hanging = await startLoad(opts({ url: `${base}/hang`, rate: 20, maxRequests: 4, timeoutMs: 200, onResult: (r) => errs.push(r) })).done;
        assert.deepEqual([hanging.ok, hanging.errors], [0, 4]);
        assert.deepEqual(new Set(errs.map((e) => e.error)), new Set(["timed out after 200 ms"]));
        // Failed at the deadline (due + timeout), not whenever the socket gave up: t + latencyMs is the deadline.
        assert.deepEqual(errs.map((e) => e.latencyMs), [200, 200, 200, 200]);
        const accepted = await startLoad(opts({ url: `${base}/fail`, rate: 50, maxRequests: 5, status: [500] })).done;
        assert.equal(accepted.ok, 5);
    });

    it("open model: a slow server does not slow the arrivals, and latency counts from when a request was due", async () => {
        const report = await startLoad(opts({ url: `${base}/slow`, rate: 50, maxInFlight: 200, maxDurationMs: 1000 })).done;
        assert.equal(report.scheduled, 50, "arrivals keep coming while earlier requests wait");
        assert.equal(report.ok, 50);
        assert.ok(report.latency.p50 >= 290, `p50 ${report.latency.p50}`);
    });

    it("drops arrivals beyond maxInFlight and counts them as errors", async () => {
        const report = await startLoad(opts({ url: `${base}/slow`, rate: 100, maxInFlight: 5, maxDurationMs: 500 })).done;
        assert.ok(report.dropped > 20, `dropped ${report.dropped}`);
        assert.equal(report.errors, report.dropped);
        assert.equal(report.ok + report.errors, report.scheduled);
    });

    it("stop() ends it early and reports what was done", async () => {
        const run = startLoad(opts({ rate: 100, maxDurationMs: 10_000 }));
        await new Promise((r) => setTimeout(r, 300));
        const report = await run.stop();
        // 100/s for about 300 ms (more on a loaded machine), and nowhere near the 10 s bound's 1000 requests.
        assert.ok(report.scheduled >= 25 && report.scheduled < 300, `scheduled ${report.scheduled}`);
        assert.ok(report.durationMs < 3000);
    });

    it("refuses anything but loopback", () => {
        assert.throws(() => startLoad(opts({ url: "http://10.0.0.1/" })), /load goes to http:\/\/ on loopback only, not http:\/\/10\.0\.0\.1\//);
    });
});

describe("LatencyHistogram", () => {
    it("reports percentiles in milliseconds at 3 significant digits", () => {
        const h = new LatencyHistogram();
        for (let i = 1; i <= 1000; i++) h.record(i);
        const s = h.summary();
        assert.equal(s.count, 1000);
        assert.equal(s.p50, 500.22);
        assert.equal(s.p99, 990.21);
        assert.equal(s.max, 1000);
        assert.deepEqual(new LatencyHistogram().summary(), { count: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 });
    });
});
