// Benchmark: how fast a Toxiproxy fault goes in and comes out through faultline's driver (what the dynamic provider
// runs in `create` and `delete`), against the same change made directly with Toxiproxy's HTTP API and with
// toxiproxy-cli. For each fault kind and each way, over N runs (FAULTLINE_BENCH_RUNS, default 10):
//   inject   = start of the operation → the first probe that shows the fault;
//   rollback = start of the revert → the first probe that is healthy again;
//   op       = the operation alone (the API call or the CLI process).
// Probes are raw TCP requests from this host to the proxy on the Toxiproxy container's IP, back to back.
//
//   node --import tsx scripts/bench/toxiproxy.ts
//
// toxiproxy-cli is used when found (TOXIPROXY_CLI, or the one setup builds next to the server); build it with
//   GOBIN=~/.cache/faultline/toxiproxy-v2.12.0/bin go install github.com/Shopify/toxiproxy/v2/cmd/cli@v2.12.0
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { dockerClient } from "../../components/core/docker";
import type { DriverContext, FaultDriver } from "../../components/core/driver";
import { driver as downDriver } from "../../components/docker/drivers/dependencyDown";
import { toxicAttributes, driver as toxicDriver, ToxiproxyToxicSpec } from "../../components/docker/drivers/toxiproxyToxic";
import { cleanupRun, runId } from "../../test/helpers/docker";
import { createProxy, SMALL_BYTES, startToxiproxyEnv, toxiproxyApi, type Probe, type ToxiproxyEnv } from "../../test/helpers/toxiproxy";

const RUNS = Number(process.env.FAULTLINE_BENCH_RUNS ?? 10);
const CLI = process.env.TOXIPROXY_CLI ?? path.join(os.homedir(), ".cache/faultline/toxiproxy-v2.12.0/bin/cli");
const HAVE_CLI = fs.existsSync(CLI);
const run = promisify(execFile);

/** One fault kind: its faultline spec (without toxiproxy and proxy) and how a probe shows it. */
interface Kind {
    port: number;
    /** undefined for the dependency-down fault (a disabled proxy, not a toxic). */
    spec?: Record<string, unknown>;
    hurt(p: Probe): boolean;
}

const KINDS: Record<string, Kind> = {
    latency: { port: 22001, spec: { type: "latency", latency: "200ms" }, hurt: (p) => p.firstByteMs >= 180 },
    // ~980 bytes at 10 KB/s: about 100 ms.
    bandwidth: { port: 22002, spec: { type: "bandwidth", rate: 10 }, hurt: (p) => p.endMs >= 80 },
    timeout: { port: 22003, spec: { type: "timeout", timeout: "0s" }, hurt: (p) => p.bytes === 0 },
    reset_peer: { port: 22004, spec: { type: "reset_peer" }, hurt: (p) => p.error === "ECONNRESET" },
    slow_close: { port: 22005, spec: { type: "slow_close", delay: "200ms" }, hurt: (p) => p.endMs - p.lastByteMs >= 180 },
    limit_data: { port: 22006, spec: { type: "limit_data", bytes: 300 }, hurt: (p) => p.bytes === 300 },
    slicer: { port: 22007, spec: { type: "slicer", averageSize: 100, delay: "5ms" }, hurt: (p) => p.chunks >= 5 },
    "dependency-down": { port: 22008, hurt: (p) => p.error === "ECONNREFUSED" },
};

/** A fast, complete, clean answer. */
function healthy(p: Probe): boolean {
    return p.error === "" && p.bytes > SMALL_BYTES && p.firstByteMs < 150 && p.endMs - p.lastByteMs < 150 && p.chunks <= 3;
}

/** One HTTP/1.0 request over a raw socket, so that resets, closes and each read are seen as they happen. */
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

/** Probes back to back until `ok`; returns when (performance.now()) the first probe that satisfied it ended. */
async function until(host: string, port: number, ok: (p: Probe) => boolean, limitMs = 10_000): Promise<number> {
    const end = performance.now() + limitMs;
    while (performance.now() < end) {
        const p = await probe(host, port);
        if (ok(p)) return performance.now();
    }
    throw new Error(`port ${port}: the expected state was not observed within ${limitMs} ms`);
}

/** How to inject and revert one fault kind one way; each returns when its operation returned. */
interface Way {
    inject(): Promise<void>;
    revert(): Promise<void>;
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
    const id = runId();
    const env: ToxiproxyEnv = await startToxiproxyEnv("flt-bench", id);
    try {
        const info = await dockerClient().getContainer(env.toxiproxy).inspect();
        const ip = Object.values<any>(info.NetworkSettings.Networks)[0].IPAddress as string;
        for (const [name, k] of Object.entries(KINDS)) await createProxy(env, name, k.port);

        const owner = { project: "faultline", stack: "bench", experiment: "bench", fault: "f", kind: "" };
        const ctx: DriverContext = { owner, warn: (m) => console.error(`warning: ${m}`), info: () => undefined };
        const ways = (name: string, k: Kind): Record<string, Way> => {
            const toxiproxy = { container: env.toxiproxy };
            const out: Record<string, Way> = {};
            const viaDriver = <S, R>(d: FaultDriver<S, R>, spec: unknown): Way => {
                let record: R | undefined;
                const parsed = d.schema.parse(spec);
                return {
                    inject: async () => void (record = await d.inject(parsed, { ...ctx, owner: { ...owner, fault: name, kind: d.kind } })),
                    revert: async () => void (await d.revert(record!, ctx)),
                };
            };
            if (k.spec) {
                const spec = ToxiproxyToxicSpec.parse({ ...k.spec, toxiproxy, proxy: name });
                const toxic = { name: `raw.${name}`, type: spec.type, stream: spec.stream, toxicity: spec.toxicity, attributes: toxicAttributes(spec) };
                out.faultline = viaDriver(toxicDriver, spec);
                out.http = {
                    inject: async () => void (await toxiproxyApi(env, "POST", `/proxies/${name}/toxics`, toxic)),
                    revert: async () => void (await toxiproxyApi(env, "DELETE", `/proxies/${name}/toxics/raw.${name}`)),
                };
                if (HAVE_CLI) {
                    const attrs = Object.entries(toxic.attributes).flatMap(([a, v]) => ["-a", `${a}=${v}`]);
                    out.cli = {
                        inject: async () => void (await run(CLI, ["-h", env.api, "toxic", "add", "-n", `cli.${name}`, "-t", toxic.type, ...attrs, name])),
                        revert: async () => void (await run(CLI, ["-h", env.api, "toxic", "remove", "-n", `cli.${name}`, name])),
                    };
                }
            } else {
                out.faultline = viaDriver(downDriver, { toxiproxy, proxy: name });
                out.http = {
                    inject: async () => void (await toxiproxyApi(env, "PATCH", `/proxies/${name}`, { enabled: false })),
                    revert: async () => void (await toxiproxyApi(env, "PATCH", `/proxies/${name}`, { enabled: true })),
                };
                if (HAVE_CLI) {
                    const toggle = async () => void (await run(CLI, ["-h", env.api, "toggle", name]));
                    out.cli = { inject: toggle, revert: toggle };
                }
            }
            return out;
        };

        type Figures = { inject: number[]; rollback: number[]; injectOp: number[]; revertOp: number[] };
        const results: Record<string, Record<string, Figures>> = {};
        for (const [name, k] of Object.entries(KINDS)) {
            const w = ways(name, k);
            results[name] = Object.fromEntries(Object.keys(w).map((m) => [m, { inject: [], rollback: [], injectOp: [], revertOp: [] }]));
            // One warm-up round per way, not counted (first connections, module loading).
            for (const way of Object.values(w)) {
                await way.inject();
                await until(ip, k.port, k.hurt);
                await way.revert();
                await until(ip, k.port, healthy);
            }
            for (let i = 0; i < RUNS; i++) {
                // The ways take turns in each round, so that they share the machine's noise.
                for (const [m, way] of Object.entries(w)) {
                    const f = results[name]![m]!;
                    await until(ip, k.port, healthy);
                    let t0 = performance.now();
                    await way.inject();
                    f.injectOp.push(performance.now() - t0);
                    f.inject.push((await until(ip, k.port, k.hurt)) - t0);
                    t0 = performance.now();
                    await way.revert();
                    f.revertOp.push(performance.now() - t0);
                    f.rollback.push((await until(ip, k.port, healthy)) - t0);
                }
            }
            process.stderr.write(`${name} done\n`);
        }

        const ms = (x: number) => x.toFixed(1);
        const cols = HAVE_CLI ? ["faultline", "http", "cli"] : ["faultline", "http"];
        console.log(`\nToxiproxy faults: medians of ${RUNS} runs, milliseconds (faultline = the driver the provider runs)`);
        console.log(`host: ${os.cpus().length} CPUs, ${os.loadavg()[0]!.toFixed(1)} load; toxiproxy-cli: ${HAVE_CLI ? CLI : "not found, skipped"}\n`);
        const head = (what: string) =>
            `| fault | ${cols.map((c) => `${c} ${what}`).join(" | ")} | ratio faultline/http${HAVE_CLI ? " | ratio faultline/cli" : ""} |`;
        const rule = `|---|${cols.map(() => "---:").join("|")}|---:|${HAVE_CLI ? "---:|" : ""}`;
        for (const [key, label] of [
            ["inject", "inject → observed"],
            ["rollback", "revert → healthy"],
            ["injectOp", "inject op"],
            ["revertOp", "revert op"],
        ] as const) {
            console.log(head(label));
            console.log(rule);
            for (const [name, byWay] of Object.entries(results)) {
                const m = Object.fromEntries(cols.map((c) => [c, median(byWay[c]![key])]));
                const ratio = (c: string) => (m.faultline! / m[c]!).toFixed(2);
                console.log(`| ${name} | ${cols.map((c) => ms(m[c]!)).join(" | ")} | ${ratio("http")}${HAVE_CLI ? ` | ${ratio("cli")}` : ""} |`);
            }
            console.log();
        }
    } finally {
        await cleanupRun(id);
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
