// Helpers for tests that run the bundled demo system (demo/compose.yaml): free loopback ports, HTTP with a
// measured duration, bounded polling, and direct calls to the demo's Toxiproxy API.
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { demoNames } from "../../components/docker/demo";
import type { ComposeSpec } from "../../spec/environment";

/** The demo's Compose file. */
export const DEMO_COMPOSE_FILE = path.resolve(__dirname, "../../demo/compose.yaml");

/**
 * The first port of the kernel's ephemeral range (ip_local_port_range): it gives those to `listen(0)` and to the
 * local end of every outgoing connection (the Docker API, gRPC between Pulumi's processes), never the ports below.
 */
function ephemeralStart(): number {
    const range = fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8");
    return Number(range.trim().split(/\s+/)[0]) || 32768;
}

/** Whether a TCP port on 127.0.0.1 can be listened on now. */
function canListen(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const srv = net.createServer();
        srv.once("error", () => resolve(false));
        srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
}

/**
 * A free TCP port on 127.0.0.1 for a test to publish on, taken at random below the kernel's ephemeral range. A port
 * the kernel chose (`listen(0)`) is free when chosen but can be given, before the test binds it, to the local end of
 * any outgoing connection on the machine: a Compose project's publish once failed with "address already in use" so.
 * Below the range only another test's choice can collide, one in some ten thousand, and the look here catches a port
 * already in use.
 */
export async function freePort(): Promise<number> {
    const low = 20000;
    const high = ephemeralStart() - 1;
    for (let i = 0; i < 100; i++) {
        const port = low + Math.floor(Math.random() * (high - low + 1));
        if (await canListen(port)) return port;
    }
    throw new Error(`no free port on 127.0.0.1 between ${low} and ${high} after 100 tries`);
}

/** A copy of the demo for one test run: its Compose spec, names and URLs. Test projects are named flt-test-*. */
export async function demoCopy(run: string) {
    const apiPort = await freePort();
    const toxiproxyPort = await freePort();
    const projectName = `flt-test-${run}`;
    const spec: ComposeSpec = {
        composeFile: DEMO_COMPOSE_FILE,
        projectName,
        env: { FAULTLINE_DEMO_API_PORT: String(apiPort), FAULTLINE_DEMO_TOXIPROXY_PORT: String(toxiproxyPort) },
        waitTimeout: 180_000,
    };
    return {
        spec,
        names: demoNames(projectName),
        api: `http://127.0.0.1:${apiPort}`,
        toxiproxy: `http://127.0.0.1:${toxiproxyPort}`,
    };
}

/** What {@link http} saw. `status` is 0 when the request timed out or could not connect. */
export interface HttpResult {
    status: number;
    ms: number;
    body: any;
    headers: Headers | undefined;
    error?: string;
}

/** One HTTP request with a bound, and how long it took. JSON bodies are parsed. */
export async function http(url: string, opts: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<HttpResult> {
    const started = performance.now();
    try {
        const res = await fetch(url, {
            method: opts.method ?? "GET",
            ...(opts.body !== undefined ? { body: JSON.stringify(opts.body), headers: { "content-type": "application/json" } } : {}),
            signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        });
        const text = await res.text();
        let body: unknown = text;
        try {
            body = JSON.parse(text);
        } catch {
            // not JSON: keep the text
        }
        return { status: res.status, ms: performance.now() - started, body, headers: res.headers };
    } catch (err) {
        return { status: 0, ms: performance.now() - started, body: undefined, headers: undefined, error: String(err) };
    }
}

/** Calls the demo's Toxiproxy API directly (faults do it through their drivers; tests check the demo itself). */
export async function toxiproxy(base: string, method: string, urlPath: string, body?: unknown): Promise<unknown> {
    const r = await http(`${base}${urlPath}`, { method, ...(body !== undefined ? { body } : {}), timeoutMs: 5_000 });
    if (r.status < 200 || r.status >= 300) throw new Error(`Toxiproxy ${method} ${urlPath}: ${r.status} ${JSON.stringify(r.body)} ${r.error ?? ""}`);
    return r.body;
}
