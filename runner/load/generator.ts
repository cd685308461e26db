import * as http from "node:http";
import { isLoopbackHost } from "../../spec/fields";
import { errorDetail } from "../probes/types";
import { LatencyHistogram } from "./histogram";
import type { LoadOptions, LoadReport, LoadResult, LoadRun } from "./types";

/** The scheduler's tick: arrivals due within a tick are sent together, so the rate holds at any setTimeout jitter. */
const TICK_MS = 5;

/**
 * The built-in open-model load generator: requests arrive at a constant rate whether earlier ones answered or not,
 * and each one's latency counts from when it was due, not when it was sent (no coordinated omission: a stalled
 * system shows up as latency, not as fewer requests). Loopback only; bounded by `maxRequests` and
 * `maxDurationMs`, whichever comes first.
 */
export function startLoad(opts: LoadOptions): LoadRun {
    const url = new URL(opts.url);
    if (url.protocol !== "http:" || !isLoopbackHost(url.hostname)) {
        throw new Error(`load goes to http:// on loopback only, not ${opts.url}; publish the port on 127.0.0.1`);
    }
    const t0 = performance.now();
    const clock = opts.clock ?? (() => performance.now() - t0);
    const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxInFlight });
    const histogram = new LatencyHistogram();
    const intervalMs = 1000 / opts.rate;
    const startedAt = clock();
    const deadline = startedAt + opts.maxDurationMs;

    let scheduled = 0;
    let completed = 0;
    let ok = 0;
    let errors = 0;
    let dropped = 0;
    let inFlight = 0;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const pending = new Set<Promise<void>>();
    let finish!: (r: LoadReport) => void;
    const done = new Promise<LoadReport>((r) => (finish = r));

    const record = (r: LoadResult) => {
        completed++;
        if (r.ok) {
            ok++;
            histogram.record(r.latencyMs);
        } else errors++;
        opts.onResult?.(r);
    };

    const send = (due: number): Promise<void> =>
        new Promise((resolve) => {
            inFlight++;
            let settled = false;
            // A request that has passed its deadline (due + timeout, open model) has failed then, whether or not it
            // ended: stop conditions must see a hanging dependency at the deadline, not when the socket gives up.
            const deadline = setTimeout(() => {
                end({ ok: false, error: `timed out after ${opts.timeoutMs} ms` }, opts.timeoutMs);
                req.destroy();
            }, Math.max(0, due + opts.timeoutMs - clock()));
            const end = (r: Omit<LoadResult, "t" | "latencyMs">, latencyMs = clock() - due) => {
                if (settled) return;
                settled = true;
                clearTimeout(deadline);
                inFlight--;
                record({ t: Math.round(due * 10) / 10, latencyMs: Math.round(latencyMs * 100) / 100, ...r });
                resolve();
            };
            const req = http.request(
                url,
                { method: opts.method, headers: opts.headers, agent },
                (res) => {
                    res.resume();
                    res.on("end", () => {
                        const status = res.statusCode ?? 0;
                        const good = opts.status ? opts.status.includes(status) : status >= 200 && status < 400;
                        end(good ? { ok: true, status } : { ok: false, status, error: `status ${status}` });
                    });
                    res.on("error", (err) => end({ ok: false, error: errorDetail(err, opts.timeoutMs) }));
                },
            );
            req.on("error", (err) => end({ ok: false, error: errorDetail(err, opts.timeoutMs) }));
            req.end(opts.body);
        });

    const report = (): LoadReport => {
        const durationMs = Math.max(1, clock() - startedAt);
        return {
            tool: "builtin",
            scheduled,
            completed,
            ok,
            errors,
            dropped,
            durationMs: Math.round(durationMs),
            throughput: Math.round((ok / durationMs) * 1000 * 100) / 100,
            latency: histogram.summary(),
        };
    };

    const end = async () => {
        if (timer) clearTimeout(timer);
        await Promise.all(pending);
        agent.destroy();
        finish(report());
    };

    const tick = () => {
        if (stopped) return;
        const now = clock();
        while (scheduled < opts.maxRequests) {
            const due = startedAt + scheduled * intervalMs;
            if (due > now || due >= deadline) break;
            scheduled++;
            if (inFlight >= opts.maxInFlight) {
                dropped++;
                record({ t: Math.round(due * 10) / 10, latencyMs: 0, ok: false, error: `dropped: ${opts.maxInFlight} requests already in flight` });
                continue;
            }
            const p = send(due);
            pending.add(p);
            void p.then(() => pending.delete(p));
        }
        if (scheduled >= opts.maxRequests || now >= deadline) {
            stopped = true;
            void end();
            return;
        }
        timer = setTimeout(tick, TICK_MS);
    };
    tick();

    return {
        done,
        async stop() {
            if (!stopped) {
                stopped = true;
                void end();
            }
            return done;
        },
    };
}
