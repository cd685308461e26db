// The demo's worker: consumes the orders stream in a consumer group and applies each order to Postgres exactly
// once. Messages are acknowledged only after the order is committed, so a crash at any point loses nothing: the
// message stays pending and is claimed again (by this worker after a restart, or by another) once idle.
import * as http from "node:http";
import * as os from "node:os";
import { createPool, log, migrate, query } from "../shared/db";
import { createRedis, ensureGroup, Keys, whenReady } from "../shared/redis";
import { Counter, Registry, collectDefaultMetrics } from "prom-client";
import { backoffMs, isPermanentDbError, retry, sleep, type RetryPolicy } from "../shared/resilience";

const envInt = (name: string, fallback: number): number => {
    const raw = process.env[name];
    const v = Number(raw);
    return raw !== undefined && raw !== "" && Number.isFinite(v) ? v : fallback;
};

const config = {
    /** Simulated work per message, between taking it and committing it: the window a crash can hit. */
    workMs: envInt("DEMO_WORK_MS", 50),
    /** Processing attempts before a message that fails for a permanent reason goes to the dead-letter stream. */
    maxAttempts: envInt("DEMO_MAX_ATTEMPTS", 3),
    /** A pending message idle this long is claimed again (its consumer crashed, or its attempt failed). */
    claimIdleMs: envInt("DEMO_CLAIM_IDLE_MS", 2_000),
    /** Budget of one Postgres statement. */
    dbTimeoutMs: envInt("DEMO_DB_TIMEOUT_MS", 1_000),
    /** Transient database errors: four attempts, exponential backoff with full jitter. */
    dbRetry: { attempts: 4, baseMs: 100, capMs: 2_000, jitter: "full" } satisfies RetryPolicy,
    batch: 10,
    blockMs: 1_000,
    healthPort: envInt("DEMO_WORKER_HEALTH_PORT", 8081),
};

/** Consumer name: the hostname, which Docker keeps across restarts of the same container. */
const consumer = process.env.DEMO_CONSUMER ?? os.hostname();
const pool = createPool({ max: 2, connectionTimeoutMillis: 1_000 });
const redis = createRedis(1_000);
// A blocking read holds its connection for blockMs; it gets a connection of its own with a longer budget.
const reader = createRedis(config.blockMs + 2_000);
let running = true;
let lastLoopAt = Date.now();

/** Prometheus metrics at GET /metrics on the health port (inside the app network; docs/observability.md). */
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const messages = new Counter({
    name: "demo_worker_messages_total",
    help: "Deliveries this worker handled, by outcome: processed, duplicate, transient_failure, poison_failure.",
    labelNames: ["outcome"] as const,
    registers: [registry],
});

/** A message that can never be processed: its order is not JSON or the database rejects its data. */
class PoisonError extends Error {}

/** Applies one order: insert it (the id is the primary key) and take its quantity from stock, atomically. */
async function apply(order: { id: string; sku: unknown; qty: unknown }): Promise<"processed" | "duplicate"> {
    // One statement, so there is no transaction to leave half done; ON CONFLICT DO NOTHING makes a redelivered
    // message a no-op, and the stock update only runs for a row that was actually inserted.
    const sql = `
        WITH ins AS (
            INSERT INTO orders (id, sku, qty) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING sku, qty
        )
        UPDATE products p SET stock = p.stock - ins.qty FROM ins WHERE p.sku = ins.sku RETURNING p.sku`;
    const values = [order.id, order.sku, typeof order.qty === "object" ? JSON.stringify(order.qty) : order.qty];
    const r = await retry(() => query(pool, sql, values, config.dbTimeoutMs), config.dbRetry, {
        retryable: (err) => !isPermanentDbError(err),
        onRetry: (attempt, err, delayMs) => log("warn", "database call failed, retrying", { order: order.id, attempt, delayMs, error: String(err) }),
    });
    return r.rowCount === 0 ? "duplicate" : "processed";
}

function parse(fields: string[]): { id: string; sku: unknown; qty: unknown } {
    const raw = fields[fields.indexOf("order") + 1];
    let order: unknown;
    try {
        order = JSON.parse(raw ?? "");
    } catch {
        throw new PoisonError("message has no JSON order field");
    }
    const id = (order as { id?: unknown } | null)?.id;
    if (typeof id !== "string") throw new PoisonError("order has no string id");
    return order as { id: string; sku: unknown; qty: unknown };
}

/** Handles one delivery of one message. Never throws: every outcome is counted and logged. */
async function handle(messageId: string, fields: string[]): Promise<void> {
    await redis.hincrby(Keys.stats, "deliveries", 1).catch(() => undefined);
    let orderId: string | undefined;
    try {
        const order = parse(fields);
        orderId = order.id;
        await sleep(config.workMs);
        const outcome = await apply(order).catch((err: unknown) => {
            throw isPermanentDbError(err) ? new PoisonError(String(err)) : err;
        });
        const now = new Date().toISOString();
        await redis
            .multi()
            .hincrby(Keys.stats, outcome === "processed" ? "processed" : "duplicates", 1)
            .hset(Keys.worker, "lastProcessedAt", now, "lastOrderId", order.id)
            .hdel(Keys.attempts, messageId)
            .xack(Keys.stream, Keys.group, messageId)
            .exec();
        messages.inc({ outcome });
        if (outcome === "duplicate") log("info", "duplicate delivery ignored", { messageId, order: order.id });
    } catch (err) {
        if (!(err instanceof PoisonError)) {
            // The message is fine and a dependency is not: leave it pending; it is claimed again when idle.
            messages.inc({ outcome: "transient_failure" });
            await redis.hincrby(Keys.stats, "transient_failures", 1).catch(() => undefined);
            log("warn", "processing failed (transient), message left pending", { messageId, order: orderId, error: String(err) });
            return;
        }
        messages.inc({ outcome: "poison_failure" });
        await deadLetterOrRetry(messageId, fields, orderId, err).catch((e: unknown) =>
            log("warn", "could not record a poison attempt; the message stays pending", { messageId, error: String(e) }),
        );
    }
}

/** A permanent failure: count the attempt, and after maxAttempts move the message to the dead-letter stream. */
async function deadLetterOrRetry(messageId: string, fields: string[], orderId: string | undefined, err: PoisonError): Promise<void> {
    const attempts = await redis.hincrby(Keys.attempts, messageId, 1);
    await redis.hincrby(Keys.stats, "poison_failures", 1);
    if (attempts < config.maxAttempts) {
        log("warn", "processing failed (permanent), will retry", { messageId, order: orderId, attempts, error: err.message });
        return;
    }
    // XADD and XACK in one MULTI: the message is in the dead-letter stream and off the queue, or neither.
    const payload = fields[fields.indexOf("order") + 1] ?? "";
    await redis
        .multi()
        .xadd(Keys.dlq, "*", "messageId", messageId, "orderId", orderId ?? "", "order", payload, "reason", err.message,
            "attempts", String(attempts), "deadAt", new Date().toISOString())
        .xack(Keys.stream, Keys.group, messageId)
        .hdel(Keys.attempts, messageId)
        .hincrby(Keys.stats, "dead_lettered", 1)
        .exec();
    log("warn", "poison message moved to the dead-letter stream", { messageId, order: orderId, attempts, reason: err.message });
}

type Entry = [string, string[]];

/** Pending messages idle for claimIdleMs: a crashed consumer's, or this one's failed attempts. */
async function claimIdle(): Promise<Entry[]> {
    const reply = (await redis.xautoclaim(Keys.stream, Keys.group, consumer, config.claimIdleMs, "0", "COUNT", config.batch)) as [
        string,
        (Entry | null)[],
    ];
    return reply[1].filter((e): e is Entry => e !== null);
}

/** New messages, waiting at most blockMs. */
async function readNew(): Promise<Entry[]> {
    const reply = (await reader.xreadgroup("GROUP", Keys.group, consumer, "COUNT", config.batch, "BLOCK", config.blockMs, "STREAMS",
        Keys.stream, ">")) as [string, Entry[]][] | null;
    return reply?.[0]?.[1] ?? [];
}

async function loop(): Promise<void> {
    const backoff: RetryPolicy = { attempts: Number.MAX_SAFE_INTEGER, baseMs: 100, capMs: 2_000, jitter: "full" };
    let failures = 0;
    let lastBeat = 0;
    while (running) {
        lastLoopAt = Date.now();
        try {
            if (Date.now() - lastBeat >= 1_000) {
                await redis.hset(Keys.worker, "consumer", consumer, "heartbeatAt", new Date().toISOString());
                lastBeat = Date.now();
            }
            const claimed = await claimIdle();
            const batch = claimed.length > 0 ? claimed : await readNew();
            for (const [id, fields] of batch) {
                if (!running) break;
                await handle(id, fields);
            }
            failures = 0;
        } catch (err) {
            // Redis itself failed (down, slow, partitioned): back off with full jitter, then try again.
            failures++;
            const delay = backoffMs(backoff, failures, Math.random());
            if (failures === 1 || failures % 10 === 0) log("warn", "queue unavailable, backing off", { failures, delayMs: delay, error: String(err) });
            await sleep(delay);
        }
    }
}

// Health for the container's healthcheck: the loop has turned recently (it turns at least every few seconds while
// waiting for messages or backing off).
const health = http.createServer((req, res) => {
    if (req.url === "/metrics") {
        void registry.metrics().then((text) => {
            res.writeHead(200, { "content-type": registry.contentType });
            res.end(text);
        });
        return;
    }
    const age = Date.now() - lastLoopAt;
    const ok = age < 15_000;
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: ok ? "ok" : "stuck", loopAgeMs: age, consumer }));
});

async function start(): Promise<void> {
    health.listen(config.healthPort);
    const forever: RetryPolicy = { attempts: Number.MAX_SAFE_INTEGER, baseMs: 200, capMs: 2_000, jitter: "full" };
    await retry(
        async () => {
            await whenReady(redis, 5_000);
            await whenReady(reader, 5_000);
            await ensureGroup(redis);
            await migrate(pool);
        },
        forever,
        { onRetry: (attempt, err) => log("warn", "dependencies not ready yet", { attempt, error: String(err) }) },
    );
    log("info", "consuming", { consumer, stream: Keys.stream, group: Keys.group, ...config });
    await loop();
}

function shutdown(signal: string): void {
    // Stop taking messages; the one in hand finishes or stays pending. Bounded, like the API's.
    log("info", "shutting down", { signal });
    running = false;
    health.close();
    void Promise.race([Promise.allSettled([pool.end(), redis.quit(), reader.quit()]), sleep(1_500)]).then(() => process.exit(0));
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

void start();
