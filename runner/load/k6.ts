import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isLoopbackHost } from "../../spec/fields";
import { LatencyHistogram } from "./histogram";
import type { LoadOptions, LoadReport, LoadResult, LoadRun } from "./types";

/** The k6 binary to use: $FAULTLINE_K6, else `k6` on PATH; undefined when there is none. */
export function k6Binary(): string | undefined {
    const candidate = process.env.FAULTLINE_K6 ?? "k6";
    const r = spawnSync(candidate, ["version"], { encoding: "utf8", timeout: 10_000 });
    return r.status === 0 ? candidate : undefined;
}

/** The k6 script for `opts`: a constant-arrival-rate scenario (k6's open model), bounded like the built-in one. */
export function k6Script(opts: LoadOptions): string {
    const durationS = Math.max(1, Math.floor(Math.min(opts.maxDurationMs, (opts.maxRequests / opts.rate) * 1000) / 1000));
    const statuses = opts.status ?? Array.from({ length: 200 }, (_, i) => 200 + i);
    const options = {
        discardResponseBodies: true,
        scenarios: {
            faultline: {
                executor: "constant-arrival-rate",
                rate: Math.round(opts.rate * 1000),
                timeUnit: "1000s",
                duration: `${durationS}s`,
                preAllocatedVUs: Math.min(opts.maxInFlight, Math.max(2, Math.ceil(opts.rate / 10))),
                maxVUs: opts.maxInFlight,
            },
        },
    };
    return [
        `import http from "k6/http";`,
        `export const options = ${JSON.stringify(options)};`,
        `const params = { headers: ${JSON.stringify(opts.headers ?? {})}, timeout: "${opts.timeoutMs}ms", responseCallback: http.expectedStatuses(...${JSON.stringify(statuses)}) };`,
        `export default function () { http.request(${JSON.stringify(opts.method)}, ${JSON.stringify(opts.url)}, ${JSON.stringify(opts.body ?? null)}, params); }`,
        "",
    ].join("\n");
}

/**
 * Load from k6, for teams that already script their load in k6: the same open model, and its per-request points
 * (k6's JSON output) become the same timeline as the built-in generator's. Needs a k6 binary ({@link k6Binary}).
 */
export function startK6Load(opts: LoadOptions, k6 = k6Binary()): LoadRun {
    if (!k6) throw new Error("no k6 binary: install k6 (or set FAULTLINE_K6), or use load.tool: builtin");
    const url = new URL(opts.url);
    if (!isLoopbackHost(url.hostname)) throw new Error(`load goes to loopback only, not ${opts.url}`);
    const t0 = performance.now();
    const clock = opts.clock ?? (() => performance.now() - t0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-k6-"));
    const script = path.join(dir, "load.js");
    const out = path.join(dir, "points.json");
    fs.writeFileSync(script, k6Script(opts));
    fs.writeFileSync(out, "");
    const startedAt = clock();
    const wallStart = Date.now();
    const child = spawn(k6, ["run", "--quiet", "--no-summary", "--no-usage-report", "--out", `json=${out}`, script], {
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));

    const histogram = new LatencyHistogram();
    let offset = 0;
    let rest = "";
    let ok = 0;
    let errors = 0;
    let dropped = 0;
    const drain = () => {
        const fd = fs.openSync(out, "r");
        try {
            const size = fs.fstatSync(fd).size;
            if (size <= offset) return;
            const buf = Buffer.alloc(size - offset);
            fs.readSync(fd, buf, 0, buf.length, offset);
            offset = size;
            const lines = (rest + buf.toString("utf8")).split("\n");
            rest = lines.pop() ?? "";
            for (const line of lines) {
                if (!line.startsWith('{"metric"') && !line.includes('"type":"Point"')) continue;
                const p = JSON.parse(line) as { type: string; metric: string; data: { time: string; value: number; tags?: Record<string, string> } };
                if (p.type !== "Point") continue;
                const at = startedAt + (Date.parse(p.data.time) - wallStart);
                if (p.metric === "dropped_iterations") {
                    dropped += p.data.value;
                    errors += p.data.value;
                    opts.onResult?.({ t: at, latencyMs: 0, ok: false, error: "dropped by k6: no free VU" });
                } else if (p.metric === "http_req_duration") {
                    const good = p.data.tags?.expected_response === "true";
                    const status = Number(p.data.tags?.status ?? 0);
                    const r: LoadResult = { t: Math.round(at * 10) / 10, latencyMs: Math.round(p.data.value * 100) / 100, ok: good, status };
                    if (!good) r.error = status ? `status ${status}` : "request failed";
                    if (good) {
                        ok++;
                        histogram.record(p.data.value);
                    } else errors++;
                    opts.onResult?.(r);
                }
            }
        } finally {
            fs.closeSync(fd);
        }
    };
    const poll = setInterval(drain, 250);
    const done = new Promise<LoadReport>((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", (code) => {
            clearInterval(poll);
            drain();
            fs.rmSync(dir, { recursive: true, force: true });
            // 0: done; 105/99: stopped early or thresholds; k6 exits non-zero when interrupted, which is how we stop it.
            if (code !== 0 && ok + errors === 0) return reject(new Error(`k6 exited with ${code}: ${stderr.trim()}`));
            const durationMs = Math.max(1, clock() - startedAt);
            resolve({
                tool: "k6",
                scheduled: ok + errors,
                completed: ok + errors - dropped,
                ok,
                errors,
                dropped,
                durationMs: Math.round(durationMs),
                throughput: Math.round((ok / durationMs) * 100_000) / 100,
                latency: histogram.summary(),
            });
        });
    });
    const hardStop = setTimeout(() => child.kill("SIGINT"), opts.maxDurationMs + 5000);
    void done.finally(() => clearTimeout(hardStop)).catch(() => undefined);
    return {
        done,
        async stop() {
            if (child.exitCode === null) {
                child.kill("SIGINT");
                const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
                await done.catch(() => undefined).finally(() => clearTimeout(kill));
            }
            return done;
        },
    };
}
