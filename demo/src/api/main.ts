// The demo's HTTP API. It takes orders onto the queue, serves the catalog, answers order and inventory look-ups,
// and reports what probes need (health, counts, queue length, dead letters, the worker's last-processed time).
// Postgres and Redis are reached through Toxiproxy only. Resilience and weaknesses: see docs/demo.md.
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import { createPool, log, migrate, query } from "../shared/db";
import { createRedis, ensureGroup, Keys, whenReady } from "../shared/redis";
import { retry, sleep, withTimeout, type RetryPolicy } from "../shared/resilience";
import { apiMetrics } from "./metrics";

const envInt = (name: string, fallback: number): number => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && process.env[name] !== "" && process.env[name] !== undefined ? v : fallback;
};

/** Timeouts and retry policies; each can be tuned from the environment (see docs/demo.md). */
const config = {
    port: envInt("PORT", 8080),
    /** Budget of one Postgres statement on the protected paths. */
    dbTimeoutMs: envInt("DEMO_DB_TIMEOUT_MS", 300),
    /** Budget of one Redis command. */
    redisTimeoutMs: envInt("DEMO_REDIS_TIMEOUT_MS", 300),
    /** /catalog: two attempts, exponential backoff with full jitter, then the cached copy. */
    catalogRetry: { attempts: 2, baseMs: 50, capMs: 200, jitter: "full" } satisfies RetryPolicy,
    /** POST /orders: three attempts, exponential backoff with full jitter, then 503. */
    enqueueRetry: { attempts: 3, baseMs: 50, capMs: 400, jitter: "full" } satisfies RetryPolicy,
    /** WEAKNESS: /inventory retries at once, five times, with no backoff and no jitter. */
    inventoryRetry: { attempts: envInt("DEMO_INVENTORY_ATTEMPTS", 5), baseMs: 0, capMs: 0, jitter: "none" } satisfies RetryPolicy,
};

const pool = createPool({ max: 10, connectionTimeoutMillis: 1_000 });
/**
 * WEAKNESS: the order look-up has a pool of its own with pg's defaults, as if added later by someone who did not
 * know the service's rules: no connect timeout and no statement timeout. A slow or partitioned Postgres makes it
 * wait as long as the network does (latency x round trips; minutes for a partition).
 */
const lookupPool = createPool({ max: 5, connectionTimeoutMillis: 0 });
const redis = createRedis(config.redisTimeoutMs);
/** Prometheus metrics at GET /metrics (docs/observability.md). */
const prom = apiMetrics(redis, config.redisTimeoutMs);
const startedAt = Date.now();
/** Set once the schema and the consumer group exist; /ready says 503 before. */
let started = false;

/** Counters that probes read from /stats. */
const metrics = {
    requests: {} as Record<string, number>,
    errors: {} as Record<string, number>,
    /** Postgres statements issued by /inventory: divided by its requests, the retry amplification. */
    inventoryDbCalls: 0,
    catalogStaleServed: 0,
};
const count = (bucket: Record<string, number>, route: string) => (bucket[route] = (bucket[route] ?? 0) + 1);

/** The last catalog read from Postgres: the fallback when Postgres is slow or unreachable. */
let catalogCache: { products: unknown[]; fetchedAt: string } | undefined;

class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
    res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > 16_384) throw new HttpError(413, "body larger than 16 KiB");
        chunks.push(chunk as Buffer);
    }
    try {
        return JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
        throw new HttpError(400, "body is not JSON");
    }
}

/** Liveness only: the process answers. Dependencies are /ready's business. */
function health(): unknown {
    return { status: "ok", uptimeMs: Date.now() - startedAt };
}

/** Readiness: started, and both dependencies answer within their budgets. */
async function ready(): Promise<{ status: number; body: unknown }> {
    if (!started) return { status: 503, body: { status: "starting" } };
    const [pg, rd] = await Promise.allSettled([
        query(pool, "SELECT 1", [], config.dbTimeoutMs),
        withTimeout(redis.ping(), config.redisTimeoutMs, "redis PING"),
    ]);
    const body = {
        postgres: pg.status === "fulfilled" ? "ok" : String(pg.reason),
        redis: rd.status === "fulfilled" ? "ok" : String(rd.reason),
    };
    return { status: pg.status === "fulfilled" && rd.status === "fulfilled" ? 200 : 503, body };
}

/**
 * POST /orders: puts the order on the stream and answers 202 with its id. Validation is shallow on purpose (an
 * object with a string `sku`): the database is the judge of `qty` and of the sku, so a bad order becomes a poison
 * message for the worker, as it would when producer and consumer disagree about a schema. A client-supplied `id`
 * makes a retried POST a duplicate message, which the worker must not apply twice.
 */
async function placeOrder(body: unknown): Promise<{ id: string; messageId: string }> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "body must be a JSON object");
    const { id, sku, qty } = body as Record<string, unknown>;
    if (typeof sku !== "string" || sku === "") throw new HttpError(400, "sku: required, a product sku such as \"apple\"");
    if (id !== undefined && (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(id))) {
        throw new HttpError(400, "id: optional, 1-64 letters, digits, '-' or '_'");
    }
    const orderId = (id as string | undefined) ?? randomUUID();
    const payload = JSON.stringify({ id: orderId, sku, qty, placedAt: new Date().toISOString() });
    try {
        const messageId = await retry(() => redis.xadd(Keys.stream, "*", "order", payload) as Promise<string>, config.enqueueRetry, {
            onRetry: (attempt, err, delayMs) => log("warn", "enqueue failed, retrying", { attempt, delayMs, error: String(err) }),
        });
        return { id: orderId, messageId };
    } catch (err) {
        throw new HttpError(503, `queue unavailable: ${String(err)}`);
    }
}

/** GET /catalog: fresh from Postgres within its budget, else the last good copy marked stale (the fallback). */
async function catalog(): Promise<{ body: unknown; stale: boolean }> {
    try {
        const r = await retry(
            () => query(pool, "SELECT sku, name, price_cents AS \"priceCents\", stock FROM products ORDER BY sku", [], config.dbTimeoutMs),
            config.catalogRetry,
        );
        catalogCache = { products: r.rows, fetchedAt: new Date().toISOString() };
        return { body: { ...catalogCache, stale: false }, stale: false };
    } catch (err) {
        if (!catalogCache) throw new HttpError(503, `catalog unavailable and nothing cached yet: ${String(err)}`);
        metrics.catalogStaleServed++;
        log("warn", "catalog served from cache", { error: String(err), fetchedAt: catalogCache.fetchedAt });
        return { body: { ...catalogCache, stale: true }, stale: true };
    }
}

/** GET /orders/:id. WEAKNESS: no timeout at all (see lookupPool); a slow or partitioned Postgres makes it hang. */
async function orderById(id: string): Promise<unknown> {
    const r = await query(lookupPool, "SELECT id, sku, qty, processed_at AS \"processedAt\" FROM orders WHERE id = $1", [id]);
    if (r.rows.length === 0) throw new HttpError(404, `no processed order "${id}" (yet)`);
    return r.rows[0];
}

/**
 * GET /inventory/:sku. WEAKNESS: a timed-out statement is retried at once, five times, with no backoff and no
 * jitter: under latency, every request becomes five statements and every client retries in lockstep (retry storm).
 */
async function inventory(sku: string): Promise<unknown> {
    const r = await retry(
        () => {
            metrics.inventoryDbCalls++;
            return query(pool, "SELECT sku, stock FROM products WHERE sku = $1", [sku], config.dbTimeoutMs);
        },
        config.inventoryRetry,
    ).catch((err: unknown) => {
        throw new HttpError(503, `inventory unavailable: ${String(err)}`);
    });
    if (r.rows.length === 0) throw new HttpError(404, `no product "${sku}"`);
    return r.rows[0];
}

/** GET /dlq: the newest dead letters (at most 20), newest first. */
async function deadLetters(): Promise<unknown> {
    const entries = (await withTimeout(redis.xrevrange(Keys.dlq, "+", "-", "COUNT", 20), config.redisTimeoutMs, "redis XREVRANGE")) as [
        string,
        string[],
    ][];
    return {
        entries: entries.map(([id, fields]) => {
            const o: Record<string, string> = { dlqId: id };
            for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]!] = fields[i + 1]!;
            return o;
        }),
    };
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 100) / 100);

/** Parses a flat [k1, v1, k2, v2, ...] Redis reply. */
function pairs(reply: unknown[]): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) o[String(reply[i])] = reply[i + 1];
    return o;
}

/**
 * GET /stats: what probes measure, each part under its own budget. A part whose dependency is down is null, and
 * `unavailable` says why, so the endpoint itself stays up and fast during every fault.
 */
async function stats(): Promise<unknown> {
    const unavailable: Record<string, string> = {};
    const t = config.redisTimeoutMs;
    const [processed, groups, dlq, worker, counters, streamInfo] = await Promise.allSettled([
        query<{ n: string }>(pool, "SELECT count(*) AS n FROM orders", [], config.dbTimeoutMs).then((r) => Number(r.rows[0]!.n)),
        withTimeout(redis.xinfo("GROUPS", Keys.stream) as Promise<unknown[][]>, t, "redis XINFO GROUPS"),
        withTimeout(redis.xlen(Keys.dlq), t, "redis XLEN"),
        withTimeout(redis.hgetall(Keys.worker), t, "redis HGETALL"),
        withTimeout(redis.hgetall(Keys.stats), t, "redis HGETALL"),
        withTimeout(redis.xinfo("STREAM", Keys.stream) as Promise<unknown[]>, t, "redis XINFO STREAM"),
    ]);
    const value = <T>(r: PromiseSettledResult<T>, what: string): T | null => {
        if (r.status === "fulfilled") return r.value;
        unavailable[what] = String(r.reason);
        return null;
    };
    const group = (value(groups, "redis") ?? []).map(pairs).find((g) => g.name === Keys.group);
    const pending = group ? Number(group.pending) : null;
    const lag = group && group.lag !== null && group.lag !== undefined ? Number(group.lag) : null;
    const w = value(worker, "redis");
    const c = value(counters, "redis") ?? {};
    const s = value(streamInfo, "redis");
    const lastProcessedAt = w?.lastProcessedAt ?? null;
    const num = (k: string) => Number(c[k] ?? 0);
    return {
        processed: value(processed, "postgres"),
        accepted: s ? Number(pairs(s)["entries-added"]) : null,
        queueLength: pending !== null && lag !== null ? pending + lag : null,
        pending,
        dlqSize: value(dlq, "redis"),
        lastProcessedAt,
        // Measured with this process's clock against the worker's: clock skew on either shows here.
        lastProcessedAgeMs: lastProcessedAt ? Date.now() - Date.parse(lastProcessedAt) : null,
        worker: w
            ? {
                  consumer: w.consumer ?? null,
                  heartbeatAt: w.heartbeatAt ?? null,
                  deliveries: num("deliveries"),
                  processed: num("processed"),
                  duplicates: num("duplicates"),
                  transientFailures: num("transient_failures"),
                  poisonFailures: num("poison_failures"),
                  deadLettered: num("dead_lettered"),
              }
            : null,
        api: {
            uptimeMs: Date.now() - startedAt,
            ...metrics,
            // Postgres statements per /inventory request since start: 1 when healthy, up to 5 in a retry storm.
            inventoryAmplification: ratio(metrics.inventoryDbCalls, metrics.requests["GET /inventory/:sku"] ?? 0),
        },
        unavailable,
    };
}

/** One endpoint: its name in the metrics, and what it does. */
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, param: string) => Promise<void>;

/** Finds the endpoint for a request; its name is counted in /stats whatever the outcome. */
function route(method: string, path: string): { name: string; handler: Handler } | undefined {
    const m = /^\/(orders|inventory)\/([^/]+)$/.exec(path);
    const param = m ? decodeURIComponent(m[2]!) : "";
    const routes: Record<string, Handler> = {
        "GET /health": async (_q, res) => send(res, 200, health()),
        "GET /ready": async (_q, res) => {
            const r = await ready();
            send(res, r.status, r.body);
        },
        "POST /orders": async (req, res) => send(res, 202, await placeOrder(await readJson(req))),
        "GET /catalog": async (_q, res) => {
            const c = await catalog();
            send(res, 200, c.body, { "x-cache": c.stale ? "stale" : "fresh" });
        },
        "GET /orders/:id": async (_q, res, id) => send(res, 200, await orderById(id)),
        "GET /inventory/:sku": async (_q, res, sku) => send(res, 200, await inventory(sku)),
        "GET /dlq": async (_q, res) => send(res, 200, await deadLetters()),
        "GET /stats": async (_q, res) => send(res, 200, await stats()),
        "GET /metrics": async (_q, res) => {
            const text = await prom.registry.metrics();
            res.writeHead(200, { "content-type": prom.registry.contentType });
            res.end(text);
        },
    };
    const name = `${method} ${m ? `/${m[1]}/${m[1] === "orders" ? ":id" : ":sku"}` : path}`;
    const handler = routes[name];
    return handler ? { name, handler: (req, res) => handler(req, res, param) } : undefined;
}

const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://api").pathname;
    const found = route(req.method ?? "GET", path);
    const name = found?.name ?? "unmatched";
    count(metrics.requests, name);
    // Scrapes are left out of the request metrics: they would dilute the error rate that PromQL probes compute.
    const started = performance.now();
    if (name !== "GET /metrics") res.on("finish", () => prom.observe(name, res.statusCode, (performance.now() - started) / 1000));
    const handle = found
        ? found.handler(req, res, "")
        : Promise.reject(new HttpError(404, `no route ${req.method} ${path}; see docs/demo.md for the endpoints`));
    handle.catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        count(metrics.errors, `${name} ${status}`);
        if (status >= 500) log("error", "request failed", { route: name, url: req.url, status, error: String(err) });
        if (!res.headersSent) send(res, status, { error: err instanceof Error ? err.message : String(err) });
    });
});

async function start(): Promise<void> {
    // Start serving at once (liveness), and get the dependencies ready in the background, retrying with
    // backoff and full jitter until they answer: the API must come up even when started before them.
    server.listen(config.port, () => log("info", "listening", { port: config.port }));
    const forever: RetryPolicy = { attempts: Number.MAX_SAFE_INTEGER, baseMs: 200, capMs: 2_000, jitter: "full" };
    await retry(
        async () => {
            await whenReady(redis, 5_000);
            await ensureGroup(redis);
            await migrate(pool);
            // Warm the cache, so that the fallback has a copy from the start: not ready until it has one (with
            // nothing cached yet, catalog() throws).
            await catalog();
        },
        forever,
        { onRetry: (attempt, err) => log("warn", "dependencies not ready yet", { attempt, error: String(err) }) },
    );
    started = true;
    log("info", "dependencies ready");
}

function shutdown(signal: string): void {
    log("info", "shutting down", { signal });
    server.close();
    // Bounded: a dependency that is down must not keep `docker stop` waiting for its 10 s kill.
    void Promise.race([Promise.allSettled([pool.end(), lookupPool.end(), redis.quit()]), sleep(1_000)]).then(() => process.exit(0));
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

void start();
