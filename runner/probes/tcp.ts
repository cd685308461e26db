import * as net from "node:net";
import type { z } from "zod";
import type { TcpProbeSpec } from "../../spec/probe";
import { errorDetail, since, type Probe, type ProbeResult } from "./types";

/** A TCP probe: a sample passes when host:port accepts a connection within the timeout. */
export function tcpProbe(spec: z.output<typeof TcpProbeSpec> & { name: string }): Probe {
    return {
        name: spec.name,
        kind: spec.kind,
        sample(): Promise<ProbeResult> {
            const start = performance.now();
            return new Promise((resolve) => {
                const socket = net.connect({ host: spec.host, port: spec.port });
                const done = (r: ProbeResult) => {
                    clearTimeout(timer);
                    socket.destroy();
                    resolve(r);
                };
                const timer = setTimeout(() => done({ ok: false, latencyMs: since(start), detail: `timed out after ${spec.timeout} ms` }), spec.timeout);
                socket.once("connect", () => done({ ok: true, latencyMs: since(start), detail: `connected to ${spec.host}:${spec.port}` }));
                socket.once("error", (err) => done({ ok: false, latencyMs: since(start), detail: errorDetail(err, spec.timeout) }));
            });
        },
        close: () => undefined,
    };
}
