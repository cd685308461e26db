import * as net from "node:net";
import type { z } from "zod";
import { execInContainer } from "../../components/core/docker";
import type { MessageCountProbeSpec } from "../../spec/probe";
import { errorDetail, since, type Probe, type ProbeResult } from "./types";

/** A RESP reply: integer, string, error, null or an array of replies. */
export type RespReply = number | string | null | Error | RespReply[];

/**
 * Parses one RESP reply at `offset` of `buf`; returns it and the offset after it, or undefined when the buffer
 * does not hold a whole reply yet.
 */
export function parseResp(buf: Buffer, offset = 0): { reply: RespReply; next: number } | undefined {
    const eol = buf.indexOf("\r\n", offset);
    if (eol < 0) return undefined;
    const type = String.fromCharCode(buf[offset]!);
    const line = buf.toString("utf8", offset + 1, eol);
    const next = eol + 2;
    switch (type) {
        case ":":
            return { reply: Number(line), next };
        case "+":
            return { reply: line, next };
        case "-":
            return { reply: new Error(line), next };
        case "$": {
            const len = Number(line);
            if (len < 0) return { reply: null, next };
            if (buf.length < next + len + 2) return undefined;
            return { reply: buf.toString("utf8", next, next + len), next: next + len + 2 };
        }
        case "*": {
            const n = Number(line);
            if (n < 0) return { reply: null, next };
            const items: RespReply[] = [];
            let at = next;
            for (let i = 0; i < n; i++) {
                const item = parseResp(buf, at);
                if (!item) return undefined;
                items.push(item.reply);
                at = item.next;
            }
            return { reply: items, next: at };
        }
        default:
            throw new Error(`not a Redis reply (starts with ${JSON.stringify(type)})`);
    }
}

/** Encodes a command as a RESP array of bulk strings. */
export function encodeResp(args: string[]): Buffer {
    return Buffer.from(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(""));
}

/**
 * One Redis connection that sends one command at a time: all a probe needs, so no client library. Reconnects
 * lazily after an error.
 */
class RedisConnection {
    private socket: net.Socket | undefined;
    private buf = Buffer.alloc(0);
    private waiting: ((r: RespReply | Error) => void) | undefined;

    constructor(private readonly url: URL) {}

    private connect(): Promise<net.Socket> {
        return new Promise((resolve, reject) => {
            const s = net.connect({ host: this.url.hostname, port: Number(this.url.port || 6379) });
            s.once("connect", () => resolve(s));
            s.once("error", reject);
            s.on("data", (d: Buffer) => {
                this.buf = Buffer.concat([this.buf, d]);
                const r = parseResp(this.buf);
                if (r && this.waiting) {
                    this.buf = this.buf.subarray(r.next);
                    const w = this.waiting;
                    this.waiting = undefined;
                    w(r.reply);
                }
            });
            s.on("close", () => {
                if (this.socket === s) this.socket = undefined;
                this.waiting?.(new Error("connection closed"));
                this.waiting = undefined;
            });
        });
    }

    async command(args: string[], timeoutMs: number): Promise<RespReply> {
        const deadline = AbortSignal.timeout(timeoutMs);
        const work = (async () => {
            if (!this.socket) {
                this.socket = await this.connect();
                this.buf = Buffer.alloc(0);
                const db = this.url.pathname.replace(/^\//, "");
                if (this.url.password) await this.send(this.url.username ? ["AUTH", this.url.username, this.url.password] : ["AUTH", this.url.password]);
                if (db) await this.send(["SELECT", db]);
            }
            return this.send(args);
        })();
        return Promise.race([
            work,
            new Promise<never>((_, reject) =>
                deadline.addEventListener("abort", () => {
                    this.close();
                    reject(Object.assign(new Error("timeout"), { name: "TimeoutError" }));
                }),
            ),
        ]);
    }

    private send(args: string[]): Promise<RespReply> {
        return new Promise((resolve, reject) => {
            this.waiting = (r) => (r instanceof Error ? reject(r) : resolve(r));
            this.socket!.write(encodeResp(args));
        });
    }

    close(): void {
        this.socket?.destroy();
        this.socket = undefined;
    }
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
function countOf(reply: RespReply): number {
    if (typeof reply === "number") return reply;
    if (Array.isArray(reply) && typeof reply[0] === "number") return reply[0];
    throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
}

/**
 * Message counts in Redis: a stream's or list's length, or a consumer group's pending entries, checked against
 * `min`/`max`/`equals`. The sample's value is the count.
 */
export function messageCountProbe(spec: z.output<typeof MessageCountProbeSpec> & { name: string }): Probe {
    const conn = spec.redis ? new RedisConnection(new URL(spec.redis)) : undefined;
    const cmd = countCommand(spec);
    return {
        name: spec.name,
        kind: spec.kind,
        async sample(): Promise<ProbeResult> {
            const start = performance.now();
            let count: number;
            try {
                if (conn) count = countOf(await conn.command(cmd, spec.timeout));
                else {
                    const r = await execInContainer(spec.container!, ["redis-cli", ...cmd], { timeoutMs: spec.timeout });
                    if (r.exitCode !== 0) throw new Error(`redis-cli exited ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
                    const first = r.stdout.trim().split("\n")[0] ?? "";
                    // redis-cli prints "(integer) 3" on a terminal and "3" otherwise; take the number either way.
                    const m = /-?\d+/.exec(first);
                    if (!m) throw new Error(`unexpected redis-cli output ${JSON.stringify(first)}`);
                    count = Number(m[0]);
                }
            } catch (err) {
                return { ok: false, latencyMs: since(start), detail: errorDetail(err, spec.timeout) };
            }
            const latencyMs = since(start);
            const problems: string[] = [];
            if (spec.equals !== undefined && count !== spec.equals) problems.push(`expected exactly ${spec.equals}`);
            if (spec.min !== undefined && count < spec.min) problems.push(`expected at least ${spec.min}`);
            if (spec.max !== undefined && count > spec.max) problems.push(`expected at most ${spec.max}`);
            const what = `${spec.type === "pending" ? `pending in ${spec.group} of` : spec.type} ${spec.key}: ${count}`;
            return { ok: problems.length === 0, latencyMs, value: count, detail: problems.length ? `${what}, ${problems.join(", ")}` : what };
        },
        close: () => conn?.close(),
    };
}
