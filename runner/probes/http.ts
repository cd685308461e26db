import * as http from "node:http";
import * as https from "node:https";
import type { z } from "zod";
import type { HttpProbeSpec } from "../../spec/probe";
import { timedProbe, type Probe } from "./types";

/** Response bodies are read up to this size; assertions see only this much. */
const MAX_BODY = 64 * 1024;

/**
 * An HTTP probe. Connections are kept alive between samples so that a sample costs one request, not a TCP (and
 * TLS) handshake each time, and so that a 20 Hz probe does not exhaust ephemeral ports.
 */
export function httpProbe(spec: z.output<typeof HttpProbeSpec> & { name: string }): Probe {
    const url = new URL(spec.url);
    const mod = url.protocol === "https:" ? https : http;
    const agent = new mod.Agent({ keepAlive: true, maxSockets: 2 });
    const bodyRe = spec.bodyMatches ? new RegExp(spec.bodyMatches) : undefined;

    function request(): Promise<{ status: number; body: string }> {
        return new Promise((resolve, reject) => {
            const req = mod.request(
                url,
                { method: spec.method, headers: spec.headers, agent, signal: AbortSignal.timeout(spec.timeout) },
                (res) => {
                    const chunks: Buffer[] = [];
                    let size = 0;
                    res.on("data", (c: Buffer) => {
                        if (size < MAX_BODY) chunks.push(c);
                        size += c.length;
                    });
                    res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_BODY) }));
                    res.on("error", reject);
                },
            );
            req.on("error", reject);
            req.end(spec.body);
        });
    }

    return timedProbe(
        spec,
        request,
        ({ status, body }, latencyMs) => {
            const statusOk = spec.status ? spec.status.includes(status) : status >= 200 && status < 400;
            const problems: string[] = [];
            if (!statusOk) problems.push(`status ${status}, expected ${spec.status ? spec.status.join(" or ") : "2xx/3xx"}`);
            if (spec.maxLatency !== undefined && latencyMs > spec.maxLatency) problems.push(`${latencyMs} ms > maxLatency ${spec.maxLatency} ms`);
            if (spec.bodyContains !== undefined && !body.includes(spec.bodyContains)) problems.push(`body does not contain ${JSON.stringify(spec.bodyContains)}`);
            if (bodyRe && !bodyRe.test(body)) problems.push(`body does not match /${spec.bodyMatches}/`);
            return { ok: problems.length === 0, latencyMs, value: status, detail: problems.join("; ") || `status ${status}` };
        },
        { close: () => agent.destroy() },
    );
}
