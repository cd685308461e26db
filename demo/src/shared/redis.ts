// The demo's queue on Redis Streams: a stream of orders, one consumer group of workers, a dead-letter stream.
import Redis from "ioredis";
import { log } from "./db";

/** Redis keys of the demo, in one place so that the API, the worker, the tests and docs/demo.md agree. */
export const Keys = {
    /** The orders stream: the queue. */
    stream: "orders",
    /** The consumer group the workers read it with (acks, pending entries, redelivery). */
    group: "workers",
    /** The dead-letter stream: poison messages, with the reason and the number of attempts. */
    dlq: "orders-dlq",
    /** Worker counters (hash): deliveries, processed, duplicates, transient_failures, poison_failures, dead_lettered. */
    stats: "demo:stats",
    /** Worker heartbeat and last-processed time (hash), written with the worker's own clock. */
    worker: "demo:worker",
    /** Failed processing attempts per message id (hash), for poison detection. */
    attempts: "demo:poison-attempts",
} as const;

/**
 * A client that fails fast: every command is bounded by `commandTimeoutMs`, and while disconnected, commands fail at
 * once instead of waiting in ioredis's offline queue (which would turn "broker down" into a hang). It reconnects in
 * the background with capped backoff.
 */
export function createRedis(commandTimeoutMs: number): Redis {
    const redis = new Redis(process.env.REDIS_URL ?? "redis://toxiproxy:6379", {
        commandTimeout: commandTimeoutMs,
        connectTimeout: 1_000,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: (times) => Math.min(100 * times, 1_000),
    });
    let down = false;
    redis.on("error", (err) => {
        if (!down) log("warn", "redis connection error", { error: String(err) });
        down = true;
    });
    redis.on("ready", () => {
        if (down) log("info", "redis connection restored");
        down = false;
    });
    return redis;
}

/** Waits until the client is connected (bounded), since commands fail at once while it is not. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
    if (redis.status === "ready") return Promise.resolve();
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            redis.off("ready", onReady);
            reject(new Error(`redis not ready after ${timeoutMs} ms`));
        }, timeoutMs);
        const onReady = () => {
            clearTimeout(timer);
            resolve();
        };
        redis.once("ready", onReady);
    });
}

/** Creates the stream and its consumer group if missing; the group starts at the beginning of the stream. */
export async function ensureGroup(redis: Redis): Promise<void> {
    try {
        await redis.xgroup("CREATE", Keys.stream, Keys.group, "0", "MKSTREAM");
    } catch (err) {
        if (!String(err).includes("BUSYGROUP")) throw err;
    }
}
