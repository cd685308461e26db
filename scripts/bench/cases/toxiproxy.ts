// The Toxiproxy kinds: each toxic type, and a disabled proxy (dependency down), against the same change made with
// toxiproxy-cli (see toxiproxyCli below) or else with curl on Toxiproxy's HTTP API. One Toxiproxy serves every case,
// one proxy each.
//
// Probes are raw TCP requests from this host to the proxy's port on the Toxiproxy container's address: resets,
// closes and each read are seen as they happen, and a probe costs a few milliseconds.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { dockerClient } from "../../../components/core/docker";
import { toxicAttributes, ToxiproxyToxicSpec } from "../../../components/docker/faults/toxiproxyToxic";
import { createProxy, SMALL_BYTES, startToxiproxyEnv, type Probe, type ToxiproxyEnv } from "../../../test/helpers/toxiproxy";
import type { BenchCase, BenchRun } from "../case";

/** The Toxiproxy version the images are built with (scripts/build-images.sh); its CLI is the raw tool here. */
const TOXIPROXY_VERSION = "v2.12.0";

/**
 * toxiproxy-cli: TOXIPROXY_CLI, or the one next to the Toxiproxy server that setup builds, built there from its Go
 * module on first use (as setup builds the server); curl on the HTTP API when neither is possible.
 */
function toxiproxyCli(): string | undefined {
    if (process.env.TOXIPROXY_CLI) return process.env.TOXIPROXY_CLI;
    const bin = path.join(os.homedir(), ".cache/faultline", `toxiproxy-${TOXIPROXY_VERSION}`, "bin");
    if (!fs.existsSync(path.join(bin, "cli"))) {
        try {
            process.stderr.write(`building toxiproxy-cli ${TOXIPROXY_VERSION} into ${bin} (once)\n`);
            execFileSync("go", ["install", `github.com/Shopify/toxiproxy/v2/cmd/cli@${TOXIPROXY_VERSION}`], {
                env: { ...process.env, GOBIN: bin, CGO_ENABLED: "0" },
                stdio: ["ignore", "ignore", "inherit"],
            });
        } catch {
            return undefined;
        }
    }
    return path.join(bin, "cli");
}

const CLI = toxiproxyCli();
process.stderr.write(`Toxiproxy raw commands: ${CLI ? `toxiproxy-cli (${CLI})` : "curl on the HTTP API (no toxiproxy-cli; set TOXIPROXY_CLI)"}\n`);

interface Ctx {
    env: ToxiproxyEnv;
    /** The Toxiproxy container's address, where the proxies listen. */
    ip: string;
    proxy: string;
    port: number;
}

let shared: Promise<{ env: ToxiproxyEnv; ip: string }> | undefined;

/** The one Toxiproxy (with its upstream and client) of this benchmark run, started on first use. */
function toxiproxyOf(run: BenchRun) {
    shared ??= (async () => {
        const env = await startToxiproxyEnv("flt-bench-tx", run.id);
        const info = await dockerClient().getContainer(env.toxiproxy).inspect();
        const ip = Object.values(info.NetworkSettings.Networks)[0]!.IPAddress;
        return { env, ip };
    })();
    return shared;
}

/** One HTTP/1.0 request over a raw socket. */
function probe(host: string, port: number, timeoutMs = 2000): Promise<Probe> {
    return new Promise((resolve) => {
        const t0 = performance.now();
        const r: Probe = { bytes: 0, chunks: 0, firstByteMs: -1, lastByteMs: -1, endMs: -1, error: "" };
        const done = (err: string) => {
            if (r.endMs >= 0) return;
            r.endMs = performance.now() - t0;
            r.error = err;
            clearTimeout(timer);
            s.destroy();
            resolve(r);
        };
        const s = net.connect(port, host, () => s.write("GET /small HTTP/1.0\r\nHost: upstream\r\n\r\n"));
        s.on("data", (b) => {
            const t = performance.now() - t0;
            if (r.firstByteMs < 0) r.firstByteMs = t;
            r.lastByteMs = t;
            r.bytes += b.length;
            r.chunks++;
        });
        s.on("error", (e: NodeJS.ErrnoException) => done(e.code ?? String(e)));
        s.on("close", () => done(""));
        const timer = setTimeout(() => done("timeout"), timeoutMs);
    });
}

/** A fast, complete, clean answer. */
function fine(p: Probe): boolean {
    return p.error === "" && p.bytes > SMALL_BYTES && p.firstByteMs < 150 && p.endMs - p.lastByteMs < 150 && p.chunks <= 3;
}

/** The raw way to add (and remove) the toxic `toxic` on `proxy`. */
function rawToxic(c: Ctx, toxic: { name: string; type: string; attributes: Record<string, number> }): { add: string[][]; remove: string[][] } {
    if (CLI) {
        const attrs = Object.entries(toxic.attributes).flatMap(([a, v]) => ["-a", `${a}=${v}`]);
        return {
            add: [[CLI, "-h", c.env.api, "toxic", "add", "-n", toxic.name, "-t", toxic.type, ...attrs, c.proxy]],
            remove: [[CLI, "-h", c.env.api, "toxic", "remove", "-n", toxic.name, c.proxy]],
        };
    }
    return {
        add: [["curl", "-sf", "-X", "POST", "-d", JSON.stringify(toxic), `${c.env.api}/proxies/${c.proxy}/toxics`]],
        remove: [["curl", "-sf", "-X", "DELETE", `${c.env.api}/proxies/${c.proxy}/toxics/${toxic.name}`]],
    };
}

/** A case for one toxic type: the spec's fields beyond toxiproxy and proxy, and how a probe shows it. */
function toxicCase(label: string, port: number, fields: Record<string, unknown>, hurt: (p: Probe) => boolean): BenchCase<Ctx> {
    const proxy = label.replace(/\W+/g, "-");
    const setup = async (run: BenchRun): Promise<Ctx> => {
        const { env, ip } = await toxiproxyOf(run);
        await createProxy(env, proxy, port);
        return { env, ip, proxy, port };
    };
    const specOf = (c: Ctx) => ({ ...fields, toxiproxy: { container: c.env.toxiproxy }, proxy: c.proxy });
    const raw = (c: Ctx) => {
        const spec = ToxiproxyToxicSpec.parse(specOf(c));
        return rawToxic(c, { name: `raw.${c.proxy}`, type: spec.type, attributes: toxicAttributes(spec) });
    };
    return {
        kind: "docker:toxiproxy-toxic",
        name: `docker:toxiproxy-toxic ${label}`,
        setup,
        spec: specOf,
        observed: async (c) => hurt(await probe(c.ip, c.port)),
        healthy: async (c) => fine(await probe(c.ip, c.port)),
        rawInject: (c) => raw(c).add,
        rawRevert: (c) => raw(c).remove,
    };
}

const toxics = [
    toxicCase("latency", 22001, { type: "latency", latency: "200ms" }, (p) => p.firstByteMs >= 180),
    toxicCase("latency+jitter", 22002, { type: "latency", latency: "300ms", jitter: "100ms" }, (p) => p.firstByteMs >= 180),
    // ~980 bytes at 10 KB/s: about 100 ms.
    toxicCase("bandwidth", 22003, { type: "bandwidth", rate: 10 }, (p) => p.endMs >= 80),
    toxicCase("timeout", 22004, { type: "timeout", timeout: "0s" }, (p) => p.bytes === 0),
    toxicCase("reset_peer", 22005, { type: "reset_peer" }, (p) => p.error === "ECONNRESET"),
    toxicCase("slow_close", 22006, { type: "slow_close", delay: "200ms" }, (p) => p.endMs - p.lastByteMs >= 180),
    toxicCase("limit_data", 22007, { type: "limit_data", bytes: 300 }, (p) => p.bytes === 300),
    toxicCase("slicer", 22008, { type: "slicer", averageSize: 100, delay: "5ms" }, (p) => p.chunks >= 5),
];

const dependencyDown: BenchCase<Ctx> = {
    kind: "docker:dependency-down",
    async setup(run) {
        const { env, ip } = await toxiproxyOf(run);
        await createProxy(env, "down", 22009);
        return { env, ip, proxy: "down", port: 22009 };
    },
    spec: (c) => ({ toxiproxy: { container: c.env.toxiproxy }, proxy: c.proxy }),
    observed: async (c) => (await probe(c.ip, c.port)).error === "ECONNREFUSED",
    healthy: async (c) => fine(await probe(c.ip, c.port)),
    // toxiproxy-cli's `toggle` flips the proxy; the same request either way.
    rawInject: (c) => (CLI ? [[CLI, "-h", c.env.api, "toggle", c.proxy]] : [["curl", "-sf", "-X", "POST", "-d", '{"enabled":false}', `${c.env.api}/proxies/${c.proxy}`]]),
    rawRevert: (c) => (CLI ? [[CLI, "-h", c.env.api, "toggle", c.proxy]] : [["curl", "-sf", "-X", "POST", "-d", '{"enabled":true}', `${c.env.api}/proxies/${c.proxy}`]]),
};

export const benchCases = [...toxics, dependencyDown];
