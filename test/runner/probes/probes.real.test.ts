// Real-engine test: probes against real things on this machine: a busybox httpd container (published on
// 127.0.0.1), TCP ports, commands on the host and in a container, container health and stats, and a real
// redis-server (the demo's image) published on loopback.
import assert from "node:assert/strict";
import * as net from "node:net";
import { after, before, describe, it } from "node:test";
import { dockerClient, execInContainer } from "../../../components/core/docker";
import { demoServices } from "../../../components/docker/demo";
import { createProbe, ProbeSpec } from "../../../runner/probes";
import { Sampler } from "../../../runner/probes/sampler";
import { freePort } from "../../helpers/demo";
import { cleanupRun, runContainer, runId } from "../../helpers/docker";

function probe(spec: Record<string, unknown>) {
    return createProbe(ProbeSpec.parse({ name: "p", ...spec }) as never);
}

async function hostPort(container: string, port: number): Promise<number> {
    const info = await dockerClient().getContainer(container).inspect();
    return Number(info.NetworkSettings.Ports[`${port}/tcp`]![0]!.HostPort);
}

describe("probes (real Docker and real local services)", { timeout: 120_000 }, () => {
    const run = runId();
    const web = `flt-probe-web-${run}`;
    let port = 0;

    before(async () => {
        await runContainer({ name: web, run, publish: 8080, cmd: ["sh", "-c", "mkdir -p /www && echo 'hello faultline 42' > /www/index.html && exec httpd -f -p 8080 -h /www"] });
        port = await hostPort(web, 8080);
        for (let i = 0; i < 50; i++) {
            if ((await probe({ kind: "tcp", port }).sample()).ok) break;
            await new Promise((r) => setTimeout(r, 100));
        }
    });
    after(() => cleanupRun(run));

    it("http: status, body assertion and latency", async () => {
        const ok = await probe({ kind: "http", url: `http://127.0.0.1:${port}/`, bodyContains: "hello faultline" }).sample();
        assert.equal(ok.ok, true, ok.detail);
        assert.equal(ok.value, 200);
        assert.ok(ok.latencyMs > 0 && ok.latencyMs < 1000, `latency ${ok.latencyMs}`);

        const missing = await probe({ kind: "http", url: `http://127.0.0.1:${port}/nope` }).sample();
        assert.deepEqual([missing.ok, missing.value, missing.detail], [false, 404, "status 404, expected 2xx/3xx"]);

        const expected404 = await probe({ kind: "http", url: `http://127.0.0.1:${port}/nope`, status: 404 }).sample();
        assert.equal(expected404.ok, true);

        const body = await probe({ kind: "http", url: `http://127.0.0.1:${port}/`, bodyMatches: "^goodbye" }).sample();
        assert.deepEqual([body.ok, body.detail], [false, "body does not match /^goodbye/"]);

        const refused = await probe({ kind: "http", url: `http://127.0.0.1:${await freePort()}/` }).sample();
        assert.equal(refused.ok, false);
        assert.match(refused.detail, /^ECONNREFUSED/);
    });

    it("http: a server that never answers fails at the timeout", async () => {
        const server = net.createServer(() => undefined);
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        try {
            const r = await probe({ kind: "http", url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, timeout: "200ms" }).sample();
            assert.deepEqual([r.ok, r.detail], [false, "timed out after 200 ms"]);
            assert.ok(r.latencyMs >= 190 && r.latencyMs < 1000, `latency ${r.latencyMs}`);
        } finally {
            server.close();
        }
    });

    it("tcp: connects to an open port, fails on a closed one", async () => {
        const open = await probe({ kind: "tcp", port }).sample();
        assert.deepEqual([open.ok, open.detail], [true, `connected to 127.0.0.1:${port}`]);
        const closed = await probe({ kind: "tcp", port: await freePort() }).sample();
        assert.equal(closed.ok, false);
        assert.match(closed.detail, /^ECONNREFUSED/);
    });

    it("command: exit code, output assertion and value, on the host and in a container", async () => {
        const host = await probe({ kind: "command", command: ["sh", "-c", "echo queue=17"], outputMatches: "queue=\\d+" }).sample();
        assert.deepEqual([host.ok, host.value, host.detail], [true, 17, "exit code 0"]);
        const failing = await probe({ kind: "command", command: ["sh", "-c", "echo oops >&2; exit 3"] }).sample();
        assert.deepEqual([failing.ok, failing.detail], [false, "exit code 3, expected 0: oops"]);
        const slow = await probe({ kind: "command", command: ["sleep", "5"], timeout: "200ms" }).sample();
        assert.deepEqual([slow.ok, slow.detail], [false, "timed out after 200 ms"]);
        const inside = await probe({ kind: "command", container: web, command: ["cat", "/www/index.html"], outputMatches: "faultline" }).sample();
        assert.deepEqual([inside.ok, inside.value], [true, 42]);
    });

    it("container-health: running, missing, and healthy without a healthcheck", async () => {
        assert.deepEqual(await probe({ kind: "container-health", container: web }).sample().then((r) => [r.ok, r.detail]), [true, "running"]);
        assert.deepEqual(
            await probe({ kind: "container-health", container: `no-such-${run}` }).sample().then((r) => [r.ok, r.detail]),
            [false, `no container "no-such-${run}"`],
        );
        assert.deepEqual(
            await probe({ kind: "container-health", container: web, status: "healthy" }).sample().then((r) => [r.ok, r.detail]),
            [false, "container has no healthcheck; use status: running or add a HEALTHCHECK"],
        );
    });

    it("container-stats: CPU from the second sample, memory always, limits enforced", async () => {
        const p = probe({ kind: "container-stats", container: web });
        const first = await p.sample();
        assert.equal(first.ok, true);
        assert.equal(first.value, undefined);
        assert.match(first.detail, /^CPU n\/a \(first sample\), memory \d+\.\d MiB$/);
        await new Promise((r) => setTimeout(r, 100));
        const second = await p.sample();
        assert.equal(typeof second.value, "number");
        assert.match(second.detail, /^CPU \d+(\.\d)?%, memory \d+\.\d MiB$/);
        // A bounded busy loop in the container shows up as CPU use (the test machine has 2 cores).
        // Idle httpd uses next to nothing; a busy loop takes a large share of a core even on a shared machine.
        assert.ok((second.value ?? 100) < 5, `CPU while idle: ${second.detail}`);
        const busy = execInContainer(web, ["timeout", "3", "sh", "-c", "while :; do :; done"], { timeoutMs: 10_000 });
        await new Promise((r) => setTimeout(r, 300));
        await p.sample();
        await new Promise((r) => setTimeout(r, 1000));
        const hot = await p.sample();
        await busy;
        assert.ok((hot.value ?? 0) > 15, `CPU while busy: ${hot.detail}`);
        const cpuLimited = await probe({ kind: "container-stats", container: web, maxCpuPercent: 50 });
        assert.equal((await cpuLimited.sample()).ok, true, "no CPU verdict on the first sample");
        const tight = await probe({ kind: "container-stats", container: web, maxMemory: 1 }).sample();
        assert.equal(tight.ok, false);
        assert.match(tight.detail, /^memory \d+ B > 1 B/);
    });

    describe("message-count against a real redis-server on loopback", () => {
        // The demo's own Redis image (faultline/demo-data:1, built by scripts/setup.sh), published on 127.0.0.1 at a
        // port the engine picks: the test runs wherever setup ran, with or without redis-server on the host. The
        // container carries the run's label, so the suite's cleanupRun removes it.
        const redisContainer = `flt-probe-redis-${run}`;
        let redisPort = 0;
        before(async () => {
            const image = demoServices().find((s) => s.name === "redis")!.image;
            await runContainer({ name: redisContainer, run, image, publish: 6379, cmd: ["redis-server", "--save", "", "--appendonly", "no", "--protected-mode", "no"] });
            redisPort = await hostPort(redisContainer, 6379);
            const cli = async (...args: string[]) => {
                const r = await execInContainer(redisContainer, ["redis-cli", ...args], { timeoutMs: 10_000 });
                assert.equal(r.exitCode, 0, `redis-cli ${args.join(" ")}: ${r.stderr}`);
                return r.stdout.trim();
            };
            // Docker's proxy accepts on the published port before redis-server listens: ask redis-server itself.
            for (let i = 0; i < 50 && (await cli("PING").catch(() => "")) !== "PONG"; i++) await new Promise((r) => setTimeout(r, 100));
            await cli("XADD", "orders", "*", "id", "1");
            await cli("XADD", "orders", "*", "id", "2");
            await cli("XGROUP", "CREATE", "orders", "workers", "0");
            await cli("XREADGROUP", "GROUP", "workers", "w1", "COUNT", "1", "STREAMS", "orders", ">");
            await cli("RPUSH", "orders:dlq", "poison");
        });

        it("counts a stream, a list and pending entries", async () => {
            const url = `redis://127.0.0.1:${redisPort}`;
            // Each probe keeps a Redis connection that reconnects until closed: without close() the process never exits.
            const opened: ReturnType<typeof probe>[] = [];
            const open = (spec: Record<string, unknown>) => {
                const p = probe(spec);
                opened.push(p);
                return p;
            };
            try {
                const stream = await open({ kind: "message-count", redis: url, key: "orders", equals: 2 }).sample();
                assert.deepEqual([stream.ok, stream.value, stream.detail], [true, 2, "stream orders: 2"]);
                const dlq = await open({ kind: "message-count", redis: url, key: "orders:dlq", type: "list", min: 1 }).sample();
                assert.deepEqual([dlq.ok, dlq.value], [true, 1]);
                const pending = await open({ kind: "message-count", redis: url, key: "orders", type: "pending", group: "workers", max: 0 }).sample();
                assert.deepEqual([pending.ok, pending.value, pending.detail], [false, 1, "pending in workers of orders: 1, expected at most 0"]);
                const gone = await open({ kind: "message-count", redis: `redis://127.0.0.1:${await freePort()}`, key: "orders" }).sample();
                assert.equal(gone.ok, false);
                assert.match(gone.detail, /^ECONNREFUSED/);
            } finally {
                for (const p of opened) p.close();
            }
        });
    });

    // The rate and cost per sample are measured by `npm run bench:runner` (figures in docs/runner.md), not asserted here.
    it("the sampler samples every probe repeatedly, each sample tagged with its phase", async () => {
        const probes = [
            probe({ kind: "http", url: `http://127.0.0.1:${port}/` }),
            probe({ kind: "tcp", port }),
            probe({ kind: "container-health", container: web }),
        ].map((p, i) => Object.assign(p, { name: `p${i}` }));
        const t0 = performance.now();
        const sampler = new Sampler(probes, { intervalMs: 50, clock: () => performance.now() - t0, phase: () => "steady" });
        sampler.start();
        await new Promise((r) => setTimeout(r, 2000));
        await sampler.stop();
        for (const name of ["p0", "p1", "p2"]) {
            const mine = sampler.samples.filter((s) => s.probe === name);
            assert.ok(mine.length >= 5, `${name}: only ${mine.length} samples in 2 s at a 50 ms interval`);
            assert.ok(mine.every((s) => s.ok && s.phase === "steady"));
            // A probe's samples never overlap: each starts after the previous one ended.
            for (let i = 1; i < mine.length; i++) assert.ok(mine[i]!.t >= mine[i - 1]!.t, `${name}: samples out of order`);
        }
    });
});
