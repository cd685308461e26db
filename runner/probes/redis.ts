import Redis from "ioredis";
import type { z } from "zod";
import { execInContainer } from "../../components/core/docker";
import type { MessageCountProbeSpec } from "../../spec/probe";
import { errorDetail, timedProbe, type Probe } from "./types";

/**
 * A Redis connection for a probe (ioredis): no offline queue and no retries per command, so a sample fails at once
 * when Redis is down instead of waiting for a reconnect; ioredis reconnects in the background between samples.
 */
function redisClient(url: string, timeoutMs: number): Redis {
    const client = new Redis(url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
        retryStrategy: () => Math.min(timeoutMs, 500),
    });
    // Connection errors are the samples' to report (see connectionError); unheard, ioredis would print each one.
    client.on("error", (err: Error) => lastErrors.set(client, err));
    client.on("ready", () => lastErrors.delete(client));
    return client;
}

/** The last connection error of each client, while it is not connected. */
const lastErrors = new WeakMap<Redis, Error>();

/** Why a command failed: the connection's own error (e.g. ECONNREFUSED) rather than ioredis' "Connection is closed". */
function connectionError(client: Redis, err: unknown): unknown {
    return client.status === "ready" ? err : (lastErrors.get(client) ?? err);
}

/** Connects when the client is not ready yet (the first sample, or after Redis came back). */
async function ready(client: Redis): Promise<void> {
    if (client.status === "wait" || client.status === "end") await client.connect();
}

/** The Redis command that counts what `spec.type` asks for. */
function countCommand(spec: z.output<typeof MessageCountProbeSpec>): string[] {
    switch (spec.type) {
        case "stream":
            return ["XLEN", spec.key];
        case "list":
            return ["LLEN", spec.key];
        case "pending":
            return ["XPENDING", spec.key, spec.group!];
    }
}

/** XLEN/LLEN answer an integer; XPENDING's summary form answers [count, first, last, consumers]. */
function countOf(reply: unknown): number {
    if (typeof reply === "number") return reply;
    if (Array.isArray(reply) && typeof reply[0] === "number") return reply[0];
    throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
}

/**
 * Message counts in Redis: a stream's or list's length, or a consumer group's pending entries, checked against
 * `min`/`max`/`equals`. The sample's value is the count.
 */
export function messageCountProbe(spec: z.output<typeof MessageCountProbeSpec> & { name: string }): Probe {
    const conn = spec.redis ? redisClient(spec.redis, spec.timeout) : undefined;
    const cmd = countCommand(spec);
    /** The count, from the connection or from redis-cli inside the container. */
    async function count(): Promise<number> {
        if (conn) {
            await ready(conn);
            return countOf(await conn.call(cmd[0]!, ...cmd.slice(1)));
        }
        const r = await execInContainer(spec.container!, ["redis-cli", ...cmd], { timeoutMs: spec.timeout });
        if (r.exitCode !== 0) throw new Error(`redis-cli exited ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
        const first = r.stdout.trim().split("\n")[0] ?? "";
        // redis-cli prints "(integer) 3" on a terminal and "3" otherwise; take the number either way.
        const m = /-?\d+/.exec(first);
        if (!m) throw new Error(`unexpected redis-cli output ${JSON.stringify(first)}`);
        return Number(m[0]);
    }

    return timedProbe(
        spec,
        count,
        (n, latencyMs) => {
            const problems: string[] = [];
            if (spec.equals !== undefined && n !== spec.equals) problems.push(`expected exactly ${spec.equals}`);
            if (spec.min !== undefined && n < spec.min) problems.push(`expected at least ${spec.min}`);
            if (spec.max !== undefined && n > spec.max) problems.push(`expected at most ${spec.max}`);
            const what = `${spec.type === "pending" ? `pending in ${spec.group} of` : spec.type} ${spec.key}: ${n}`;
            return { ok: problems.length === 0, latencyMs, value: n, detail: problems.length ? `${what}, ${problems.join(", ")}` : what };
        },
        { failed: (err) => (conn ? errorDetail(connectionError(conn, err), spec.timeout) : undefined), close: () => conn?.disconnect() },
    );
}
