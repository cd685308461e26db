// Helpers for tests that run the bundled demo system (demo/compose.yaml): free loopback ports, HTTP with a
// measured duration, bounded polling, and direct calls to the demo's Toxiproxy API.
import * as net from "node:net";
import * as path from "node:path";
import { demoNames } from "../../components/docker/demo";
import type { ComposeSpec } from "../../spec/environment";

/** The demo's Compose file. */
export const DEMO_COMPOSE_FILE = path.resolve(__dirname, "../../demo/compose.yaml");

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as net.AddressInfo;
            srv.close(() => resolve(port));
        });
    });
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
