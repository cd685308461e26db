// A small HTTP receiver on 127.0.0.1 that records every request (for Grafana's annotations API and an OTLP/HTTP
// collector in tests) and answers with a chosen status, optionally late.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the receiver saw it. */
export interface Received {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: unknown;
}

/** How the receiver answers. */
export interface ReceiverOptions {
    /** Status of every answer. Defaults to 200. */
    status?: number;
    /** Waits this long before answering (a slow or hung server). Defaults to 0. */
    delayMs?: number;
}

/** Starts a receiver; `close()` ends it and every connection still open. */
export async function startReceiver(opts: ReceiverOptions = {}) {
    const calls: Received[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = text;
            try {
                body = JSON.parse(text);
            } catch {
                // not JSON: keep the text
            }
            calls.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
            const answer = () => {
                res.writeHead(opts.status ?? 200, { "content-type": "application/json" });
                res.end(opts.status && opts.status >= 400 ? JSON.stringify({ message: "refused by the test receiver" }) : JSON.stringify({ id: calls.length, message: "Annotation added" }));
            };
            if (opts.delayMs) setTimeout(answer, opts.delayMs).unref();
            else answer();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        calls,
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
