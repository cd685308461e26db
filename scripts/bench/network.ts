// Benchmark of the network fault drivers against the raw commands they stand for.
//
//   node --import tsx scripts/bench/network.ts [runs]      (default 10 runs per fault kind)
//
// For each kind, each run measures, on real containers:
//   inject   = driver.inject() start (what the provider's create does first) → a probe sees the fault
//   rollback = driver.revert() start (what the provider's delete does first) → the probe sees it healthy again
// and the same for the raw command run directly (`docker run --rm --network container:X --cap-add NET_ADMIN tools
// iptables|tc ...`, `docker network disconnect|connect`). The probe is the same for both, so the ratio is fair.
// Prints medians, and the ratio driver/raw, as a Markdown table. Everything it creates is labelled and removed.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { execInContainer } from "../../components/core/docker";
import type { DriverContext, FaultDriver } from "../../components/core/driver";
import { driver as bandwidth } from "../../components/docker/drivers/bandwidth";
import { driver as dnsFailure } from "../../components/docker/drivers/dnsFailure";
import { driver as netem } from "../../components/docker/drivers/netem";
import { driver as networkDisconnect } from "../../components/docker/drivers/networkDisconnect";
import { driver as partialPartition } from "../../components/docker/drivers/partialPartition";
import { toolsImage } from "../../components/docker/helper";
import { reaper } from "../../components/docker/reaper";
import { cleanupRun, createNetwork, runContainer, runId, TEST_LABEL } from "../../test/helpers/docker";
import { ipOf } from "../../test/helpers/network";

const sh = promisify(execFile);
const RUNS = Math.max(1, Number(process.argv[2] ?? 10));
const PROBE_DEADLINE_MS = 10_000;

/** Polls `probe` until it returns `want`; returns when it did, or throws after PROBE_DEADLINE_MS. */
async function until(probe: () => Promise<boolean>, want: boolean, what: string): Promise<void> {
    const deadline = Date.now() + PROBE_DEADLINE_MS;
    while ((await probe()) !== want) {
        if (Date.now() > deadline) throw new Error(`${what}: probe never became ${want}`);
    }
}

/** Milliseconds from the start of `op` until `probe` returns `want`. */
async function timed(op: () => Promise<unknown>, probe: () => Promise<boolean>, want: boolean, what: string): Promise<number> {
    const t0 = performance.now();
    await op();
    await until(probe, want, what);
    return performance.now() - t0;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `docker run --rm` of the tools image in a container's network namespace, as a user would type it. */
function rawInNetns(container: string, script: string) {
    return sh("docker", ["run", "--rm", "--network", `container:${container}`, "--cap-add", "NET_ADMIN", "--label", `${TEST_LABEL}=${run}`, toolsImage(), "sh", "-c", script]);
}

/** Exit code 0 of a command in a container, bounded. */
async function ok(container: string, cmd: string[]): Promise<boolean> {
    return (await execInContainer(container, cmd, { timeoutMs: 10_000 })).exitCode === 0;
}

interface Case {
    kind: string;
    driver: FaultDriver<any, any>;
    spec: unknown;
    /** True while healthy (no fault). */
    healthy: () => Promise<boolean>;
    rawInject: () => Promise<unknown>;
    rawRevert: () => Promise<unknown>;
}

const run = `bench-${runId()}`;
const owner = { project: "faultline", stack: run, experiment: "bench", fault: "bench", kind: "" };

async function main(): Promise<void> {
    const net = `flt-${run}`;
    const [a, b] = [`flt-${run}-a`, `flt-${run}-b`];
    await createNetwork(net, run);
    for (const x of [a, b]) await runContainer({ name: x, run, network: net, cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
    await execInContainer(b, ["dd", "if=/dev/zero", "of=/www/32k", "bs=1024", "count=32"]);
    const [aIp, bIp] = [await ipOf(a, net), await ipOf(b, net)];

    // A's packets to B are dropped in A's own OUTPUT chain, so a ping's sendto fails at once (EPERM), where a TCP
    // connect would sit in SYN retries until a timeout.
    const aReachesB = () => ok(a, ["ping", "-c", "1", "-W", "1", bIp]);
    // Dropped DNS queries (UDP) fail at once too: the drop is local.
    const aResolves = () => ok(a, ["timeout", "2", "nslookup", b]);
    // 32 KB from B: ~0.25 s at 1 Mbit/s, a few ms without the limit (busybox `time`, 10 ms resolution).
    const bIsFast = async () => {
        const r = await execInContainer(a, ["sh", "-c", `time timeout 5 wget -q -O /dev/null http://${bIp}:8080/32k`], { timeoutMs: 10_000 });
        const m = /real\s+\d+m\s*([\d.]+)s/.exec(r.stderr);
        return r.exitCode === 0 && !!m && Number(m[1]) < 0.1;
    };
    // Once B is off the network it has no route to A: the connect fails at once (ENETUNREACH).
    const bReachesA = () => ok(b, ["timeout", "2", "wget", "-q", "-O", "/dev/null", `http://${aIp}:8080/`]);

    const cases: Case[] = [
        {
            kind: partialPartition.kind,
            driver: partialPartition,
            spec: { target: { name: a }, peers: [b], direction: "both" },
            healthy: aReachesB,
            rawInject: () => rawInNetns(a, `iptables -I OUTPUT -d ${bIp} -j DROP && iptables -I INPUT -s ${bIp} -j DROP`),
            rawRevert: () => rawInNetns(a, `iptables -D OUTPUT -d ${bIp} -j DROP && iptables -D INPUT -s ${bIp} -j DROP`),
        },
        {
            kind: dnsFailure.kind,
            driver: dnsFailure,
            spec: { target: { name: a } },
            healthy: aResolves,
            rawInject: () =>
                rawInNetns(a, "iptables -t raw -I OUTPUT -p udp --dport 53 -j DROP && iptables -t raw -I OUTPUT -p tcp --dport 53 -j DROP"),
            rawRevert: () =>
                rawInNetns(a, "iptables -t raw -D OUTPUT -p udp --dport 53 -j DROP && iptables -t raw -D OUTPUT -p tcp --dport 53 -j DROP"),
        },
        {
            kind: bandwidth.kind,
            driver: bandwidth,
            spec: { target: { name: b }, rate: "1mbit" },
            healthy: bIsFast,
            rawInject: () => rawInNetns(b, "tc qdisc add dev eth0 root tbf rate 1mbit burst 32kbit latency 400ms"),
            rawRevert: () => rawInNetns(b, "tc qdisc del dev eth0 root"),
        },
        {
            kind: networkDisconnect.kind,
            driver: networkDisconnect,
            spec: { container: b, network: net },
            healthy: bReachesA,
            rawInject: () => sh("docker", ["network", "disconnect", net, b]),
            rawRevert: () => sh("docker", ["network", "connect", "--ip", bIp, net, b]),
        },
    ];

    const rows: string[] = [];
    const ms = (x: number) => `${Math.round(x)}`;
    for (const c of cases) {
        const ctx: DriverContext = { owner: { ...owner, kind: c.kind }, warn: () => undefined, info: () => undefined };
        const spec = c.driver.schema.parse(c.spec);
        const t = { inject: [] as number[], revert: [] as number[], rawInject: [] as number[], rawRevert: [] as number[] };
        await until(c.healthy, true, `${c.kind} precondition`);
        for (let i = 0; i < RUNS; i++) {
            let record: unknown;
            t.inject.push(await timed(async () => (record = await c.driver.inject(spec, ctx)), c.healthy, false, `${c.kind} inject`));
            t.revert.push(await timed(() => c.driver.revert(record, ctx), c.healthy, true, `${c.kind} revert`));
            t.rawInject.push(await timed(c.rawInject, c.healthy, false, `${c.kind} raw inject`));
            t.rawRevert.push(await timed(c.rawRevert, c.healthy, true, `${c.kind} raw revert`));
        }
        const [mi, mr, ri, rr] = [median(t.inject), median(t.revert), median(t.rawInject), median(t.rawRevert)];
        rows.push(`| \`${c.kind}\` | ${ms(mi)} | ${ms(ri)} | ${(mi / ri).toFixed(2)} | ${ms(mr)} | ${ms(rr)} | ${(mr / rr).toFixed(2)} |`);
        console.error(`${c.kind}: done (${RUNS} runs)`);
    }

    // The provider's create also arms the reaper once the fault is in; measured on its own (not part of "inject").
    const arm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        const id = `bench/${run}/${i}`;
        const t0 = performance.now();
        await reaper.arm({ id, kind: dnsFailure.kind, record: { targets: [], comment: `faultline:${run}:x`, owner }, owner, expiresAt: Date.now() + 600_000 });
        arm.push(performance.now() - t0);
        await reaper.disarm(id);
    }

    const netemIssues = await netem.preflight!(netem.schema.parse({ target: { name: a }, delay: "10ms" }));
    const { stdout: load } = await sh("cat", ["/proc/loadavg"]);
    console.log(`${RUNS} runs per kind, medians in ms; load average before the summary: ${load.split(" ").slice(0, 3).join(" ")}\n`);
    console.log("| kind | inject (driver) | inject (raw) | ratio | rollback (driver) | rollback (raw) | ratio |");
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) console.log(r);
    console.log(`| \`docker:netem\` | n/a | n/a | | n/a | n/a | |`);
    console.log(`\nnetem: ${netemIssues.length ? netemIssues[0]!.message : "available"}`);
    console.log(`reaper arm (the provider's create, after the fault is in; first one includes the bundle build): median ${ms(median(arm))} ms, first ${ms(arm[0]!)} ms`);
}

main()
    .catch((err: unknown) => {
        console.error(err);
        process.exitCode = 1;
    })
    .finally(() => cleanupRun(run));
