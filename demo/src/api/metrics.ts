// The API's Prometheus metrics (prom-client), served at GET /metrics: requests and their latency by route and
// status, and the pipeline's state read from Redis at scrape time (queue depth, dead letters, processed orders).
// PromQL probes and stop conditions (docs/observability.md) read these through a Prometheus that scrapes the API.
import type Redis from "ioredis";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { withTimeout } from "../shared/resilience";
import { Keys } from "../shared/redis";

/** Latency buckets in seconds: fine below 100 ms (healthy), coarse up to 10 s (faults). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The API's metric registry, and the hook that times every request. */
export function apiMetrics(redis: Redis, redisTimeoutMs: number) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const requests = new Counter({
        name: "http_requests_total",
        help: "HTTP requests answered, by route (e.g. GET /orders/:id) and status code.",
        labelNames: ["route", "status"] as const,
        registers: [registry],
    });
    const duration = new Histogram({
        name: "http_request_duration_seconds",
        help: "Time from request to response, by route and status code.",
        labelNames: ["route", "status"] as const,
        buckets: BUCKETS,
        registers: [registry],
    });
    registerPipelineGauges(registry, redis, redisTimeoutMs);
    return {
        registry,
        /** Counts and times one answered request. */
        observe(route: string, status: number, seconds: number): void {
            const labels = { route, status: String(status) };
            requests.inc(labels);
            duration.observe(labels, seconds);
        },
    };
}

/** What one scrape reads from Redis; null when Redis did not answer within its budget. */
async function pipelineState(redis: Redis, timeoutMs: number) {
    try {
        const [groups, dlq, counters] = await withTimeout(
            Promise.all([redis.xinfo("GROUPS", Keys.stream) as Promise<unknown[][]>, redis.xlen(Keys.dlq), redis.hgetall(Keys.stats)]),
            timeoutMs,
            "redis metrics",
        );
        const group = groups.map(pairs).find((g) => g.name === Keys.group);
        const pending = group ? Number(group.pending) : 0;
        const lag = group && group.lag !== null && group.lag !== undefined ? Number(group.lag) : 0;
        return { pending, depth: pending + lag, dlq, processed: Number(counters.processed ?? 0), deadLettered: Number(counters.dead_lettered ?? 0) };
    } catch {
        return null;
    }
}

function pairs(reply: unknown[]): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) o[String(reply[i])] = reply[i + 1];
    return o;
}

/**
 * Gauges and counters of the queue, filled from Redis once per scrape. While Redis does not answer they keep their
 * last value and `demo_redis_up` is 0. The processed-orders counter is the workers' own count kept in Redis, so it
 * survives restarts of a worker.
 */
function registerPipelineGauges(registry: Registry, redis: Redis, timeoutMs: number): void {
    type State = NonNullable<Awaited<ReturnType<typeof pipelineState>>>;
    let state: State | null = null;
    // One Redis round trip per scrape, shared by every metric below: the first collect() of a scrape reads it.
    let reading: Promise<void> | undefined;
    const read = () =>
        (reading ??= pipelineState(redis, timeoutMs).then((s) => {
            state = s;
            setTimeout(() => (reading = undefined), 100);
        }));
    new Gauge({
        name: "demo_redis_up",
        help: "1 when Redis answered this scrape within its budget, else 0.",
        registers: [registry],
        async collect() {
            await read();
            this.set(state ? 1 : 0);
        },
    });
    const gauge = (name: string, help: string, pick: (s: State) => number) =>
        new Gauge({
            name,
            help,
            registers: [registry],
            async collect() {
                await read();
                if (state) this.set(pick(state));
            },
        });
    gauge("demo_queue_depth", "Orders accepted but not yet processed: pending in the workers group plus not yet delivered.", (s) => s.depth);
    gauge("demo_queue_pending", "Orders delivered to a worker and not yet acknowledged.", (s) => s.pending);
    gauge("demo_dlq_size", "Messages in the dead-letter stream (orders-dlq).", (s) => s.dlq);
    const counter = (name: string, help: string, pick: (s: State) => number) =>
        new Counter({
            name,
            help,
            registers: [registry],
            async collect() {
                await read();
                if (!state) return;
                this.reset();
                this.inc(pick(state));
            },
        });
    counter("demo_orders_processed_total", "Orders the workers applied to Postgres (each order once).", (s) => s.processed);
    counter("demo_orders_dead_lettered_total", "Orders the workers moved to the dead-letter stream.", (s) => s.deadLettered);
}
