// A client, a Toxiproxy and an upstream web server on one Docker network, for the Toxiproxy fault tests.
import { execInContainer } from "../../components/core/docker";
import { createNetwork, runContainer } from "./docker";

export const TOXIPROXY_IMAGE = process.env.FAULTLINE_IMAGE_TOXIPROXY ?? "faultline/toxiproxy:1";
const TOOLS_IMAGE = process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1";

/**
 * A faultCycle web target that is a Toxiproxy (test/helpers/faultCycle.ts `web`): its proxy "web" (port 8080) fronts
 * a busybox httpd in the same container, so the client's probe of http://web:8080/ goes through the proxy a fault acts on.
 */
export const TOXIPROXY_CYCLE_WEB = {
    image: TOXIPROXY_IMAGE,
    cmd: [
        "sh",
        "-c",
        `mkdir -p /www && echo ok > /www/index.html && busybox httpd -p 127.0.0.1:8081 -h /www && ` +
            `echo '${JSON.stringify([{ name: "web", listen: "0.0.0.0:8080", upstream: "127.0.0.1:8081" }])}' > /proxies.json && ` +
            `exec toxiproxy -host 0.0.0.0 -config /proxies.json`,
    ],
};

/** Sizes of the files the upstream serves. */
export const SMALL_BYTES = 792;
export const BIG_BYTES = 100 * 1024;

/** The containers of one test environment. */
export interface ToxiproxyEnv {
    network: string;
    toxiproxy: string;
    upstream: string;
    client: string;
    /** Toxiproxy's API from the host (its published loopback port). */
    api: string;
}

/**
 * Starts the environment: `upstream` (busybox httpd serving /small, SMALL_BYTES, and /big, BIG_BYTES), a Toxiproxy
 * with its API published on 127.0.0.1, and a client (the tools image, which has Node.js for precise probes).
 */
export async function startToxiproxyEnv(prefix: string, run: string): Promise<ToxiproxyEnv> {
    const network = `${prefix}-${run}`;
    const env: ToxiproxyEnv = {
        network,
        toxiproxy: `${prefix}-toxiproxy-${run}`,
        upstream: `${prefix}-upstream-${run}`,
        client: `${prefix}-client-${run}`,
        api: "",
    };
    await createNetwork(network, run);
    const files = `mkdir -p /www && seq 1 300 | tr -d '\\n' | head -c ${SMALL_BYTES} > /www/small && dd if=/dev/zero of=/www/big bs=1024 count=${BIG_BYTES / 1024} 2>/dev/null`;
    await Promise.all([
        runContainer({ name: env.upstream, run, network, aliases: ["upstream"], cmd: ["sh", "-c", `${files} && exec httpd -f -p 8080 -h /www`] }),
        runContainer({ name: env.toxiproxy, run, network, aliases: ["toxiproxy"], image: TOXIPROXY_IMAGE, publish: 8474, cmd: ["toxiproxy", "-host", "0.0.0.0"] }),
        runContainer({ name: env.client, run, network, image: TOOLS_IMAGE, cmd: ["sleep", "3600"] }),
    ]);
    const { dockerClient } = await import("../../components/core/docker");
    const info = await dockerClient().getContainer(env.toxiproxy).inspect();
    env.api = `http://127.0.0.1:${info.NetworkSettings.Ports["8474/tcp"]![0]!.HostPort}`;
    for (let i = 0; i < 50; i++) {
        if (await fetch(`${env.api}/version`).then((r) => r.ok, () => false)) return env;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Toxiproxy API at ${env.api} did not come up`);
}

/** Calls Toxiproxy's API from the host and returns the status and JSON body. */
export async function toxiproxyApi(env: ToxiproxyEnv, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const r = await fetch(env.api + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates a proxy named `name` listening on `port` in front of the upstream web server. */
export async function createProxy(env: ToxiproxyEnv, name: string, port: number): Promise<void> {
    const r = await toxiproxyApi(env, "POST", "/proxies", { name, listen: `0.0.0.0:${port}`, upstream: "upstream:8080" });
    if (r.status !== 201) throw new Error(`creating proxy ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
}

/** What the client saw on one HTTP/1.0 request through a proxy. */
export interface Probe {
    /** Bytes received, headers included. */
    bytes: number;
    /** Number of reads (a slicer shows as many small ones). */
    chunks: number;
    /** Milliseconds to the first byte, -1 if none came. */
    firstByteMs: number;
    /** Milliseconds to the last byte, -1 if none came. */
    lastByteMs: number;
    /** Milliseconds until the connection ended (closed, reset, refused or timed out). */
    endMs: number;
    /** The socket error code (ECONNRESET, ECONNREFUSED) or "timeout"; "" when the connection closed cleanly. */
    error: string;
}

// Runs in the client container: a raw socket, so that the close, a reset and each read are seen as they happen
// (an HTTP client would hide them). The request is written without ending our side, as a browser would.
const PROBE_SCRIPT = `
const [host, port, path, timeoutMs] = process.argv.slice(1);
const net = require("net");
const t0 = Date.now();
const r = { bytes: 0, chunks: 0, firstByteMs: -1, lastByteMs: -1, endMs: -1, error: "" };
const done = (err) => { if (r.endMs >= 0) return; r.endMs = Date.now() - t0; if (err) r.error = err; console.log(JSON.stringify(r)); process.exit(0); };
const s = net.connect(Number(port), host, () => s.write("GET " + path + " HTTP/1.0\\r\\nHost: upstream\\r\\n\\r\\n"));
s.on("data", (b) => { const t = Date.now() - t0; if (r.firstByteMs < 0) r.firstByteMs = t; r.lastByteMs = t; r.bytes += b.length; r.chunks++; });
s.on("error", (e) => done(e.code || String(e)));
s.on("close", () => done(""));
setTimeout(() => { s.destroy(); done("timeout"); }, Number(timeoutMs));
`;

/** One request from the client through Toxiproxy's `port` (the proxy's listen port) for `path`. */
export async function probe(env: ToxiproxyEnv, port: number, path = "/small", timeoutMs = 5000): Promise<Probe> {
    const r = await execInContainer(env.client, ["node", "-e", PROBE_SCRIPT, "toxiproxy", String(port), path, String(timeoutMs)], {
        timeoutMs: timeoutMs + 10_000,
    });
    if (r.exitCode !== 0) throw new Error(`probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Probe;
}

/** Bytes of a full, healthy response for `path` (headers included), as seen through an untouched proxy. */
export function healthy(p: Probe, bodyBytes: number): boolean {
    return p.error === "" && p.bytes > bodyBytes && p.endMs < 1000;
}
