// k6 integration against a local HTTP server on 127.0.0.1, when a k6 binary is present (FAULTLINE_K6, PATH, or
// ~/go/bin/k6 as built from the Go module go.k6.io/k6); skipped otherwise.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { k6Binary, k6Script, startK6Load } from "../../../runner/load/k6";
import type { LoadOptions, LoadResult } from "../../../runner/load/types";

const built = path.join(os.homedir(), "go", "bin", "k6");
if (!process.env.FAULTLINE_K6 && fs.existsSync(built)) process.env.FAULTLINE_K6 = built;
const k6 = k6Binary();

describe("k6 load", { skip: !k6 && "no k6 binary (go install go.k6.io/k6@latest, or set FAULTLINE_K6)", timeout: 120_000 }, () => {
    let server: http.Server;
    let base = "";
    let received = 0;
    before(async () => {
        server = http.createServer((req, res) => {
            received++;
            res.writeHead(req.url === "/fail" ? 503 : 200).end("ok");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => {
        server.closeAllConnections();
        server.close();
    });

    const opts = (o: Partial<LoadOptions>): LoadOptions => ({ url: `${base}/`, method: "GET", rate: 20, timeoutMs: 1000, maxInFlight: 10, maxRequests: 10_000, maxDurationMs: 2000, ...o });

    it("runs a constant-arrival-rate scenario and streams its requests into the same results", async () => {
        received = 0;
        const results: LoadResult[] = [];
        const report = await startK6Load(opts({ onResult: (r) => results.push(r) }), k6).done;
        assert.equal(report.tool, "k6");
        assert.equal(report.ok, received);
        assert.ok(report.ok >= 36 && report.ok <= 41, `ok ${report.ok}`);
        assert.equal(report.errors, 0);
        assert.equal(results.length, report.ok);
        assert.ok(report.latency.p95 > 0);
    });

    it("counts unexpected statuses as errors", async () => {
        const report = await startK6Load(opts({ url: `${base}/fail`, maxDurationMs: 1000 }), k6).done;
        assert.equal(report.ok, 0);
        assert.ok(report.errors >= 18, `errors ${report.errors}`);
    });

    it("writes an open-model script bounded by count and time", () => {
        const s = k6Script(opts({ rate: 2.5, maxRequests: 10, maxDurationMs: 60_000 }));
        assert.match(s, /"executor":"constant-arrival-rate","rate":2500,"timeUnit":"1000s","duration":"4s"/);
    });
});
