// The iptables and tc kinds, against the same rules typed by hand: `docker run --rm --network container:<t>
// --cap-add NET_ADMIN <tools> iptables|tc ...`, the way one changes a container's network namespace without
// installing anything in it (what Pumba does too).
import { execInContainer } from "../../../components/core/docker";
import { toolsImage } from "../../../components/docker/helper";
import { createNetwork, runContainer } from "../../../test/helpers/docker";
import { ipOf } from "../../../test/helpers/network";
import type { BenchCase, BenchRun } from "../case";

/** Two web servers on one network: `a` and `b`, with their addresses. */
interface Pair {
    a: string;
    b: string;
    aIp: string;
    bIp: string;
    /** `--label k=v` arguments for the raw helper containers, so a crashed run's are cleaned up too. */
    labels: string[];
}

async function pair(run: BenchRun, tag: string): Promise<Pair> {
    const net = `flt-bench-${tag}-${run.id}`;
    const [a, b] = [`flt-bench-${tag}-a-${run.id}`, `flt-bench-${tag}-b-${run.id}`];
    await createNetwork(net, run.id);
    for (const x of [a, b]) await runContainer({ name: x, run: run.id, network: net, cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"], labels: run.labels });
    // 32 KB to fetch from b: ~0.25 s at 1 Mbit/s, a few ms without a limit.
    await execInContainer(b, ["dd", "if=/dev/zero", "of=/www/32k", "bs=1024", "count=32"]);
    const labels = Object.entries({ "dev.faultline.test": run.id, ...run.labels }).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    return { a, b, aIp: await ipOf(a, net), bIp: await ipOf(b, net), labels };
}

/** The raw way: a throwaway tools container in `container`'s network namespace runs `script`. */
function inNetns(p: Pair, container: string, script: string): string[] {
    return ["docker", "run", "--rm", "--network", `container:${container}`, "--cap-add", "NET_ADMIN", ...p.labels, toolsImage(), "sh", "-c", script];
}

/** Exit code 0 of a command in a container, bounded. */
async function ok(container: string, cmd: string[]): Promise<boolean> {
    return (await execInContainer(container, cmd, { timeoutMs: 10_000 })).exitCode === 0;
}

// a's packets to b are dropped in a's own OUTPUT chain, so a ping's sendto fails at once (EPERM), where a TCP
// connect would sit in SYN retries until a timeout.
const aReachesB = (p: Pair) => ok(p.a, ["ping", "-c", "1", "-W", "1", p.bIp]);

const partialPartition: BenchCase<Pair> = {
    kind: "docker:partial-partition",
    setup: (run) => pair(run, "pp"),
    spec: (p) => ({ target: { name: p.a }, peers: [p.b], direction: "both" }),
    observed: async (p) => !(await aReachesB(p)),
    healthy: aReachesB,
    rawInject: (p) => [inNetns(p, p.a, `iptables -I OUTPUT -d ${p.bIp} -j DROP && iptables -I INPUT -s ${p.bIp} -j DROP`)],
    rawRevert: (p) => [inNetns(p, p.a, `iptables -D OUTPUT -d ${p.bIp} -j DROP && iptables -D INPUT -s ${p.bIp} -j DROP`)],
};

// Dropped DNS queries fail at once too: the drop is local (EPERM), no timeout to wait for.
const aResolves = (p: Pair) => ok(p.a, ["timeout", "2", "nslookup", p.b]);

const dnsFailure: BenchCase<Pair> = {
    kind: "docker:dns-failure",
    setup: (run) => pair(run, "dns"),
    spec: (p) => ({ target: { name: p.a } }),
    observed: async (p) => !(await aResolves(p)),
    healthy: aResolves,
    rawInject: (p) => [inNetns(p, p.a, "iptables -t raw -I OUTPUT -p udp --dport 53 -j DROP && iptables -t raw -I OUTPUT -p tcp --dport 53 -j DROP")],
    rawRevert: (p) => [inNetns(p, p.a, "iptables -t raw -D OUTPUT -p udp --dport 53 -j DROP && iptables -t raw -D OUTPUT -p tcp --dport 53 -j DROP")],
};

/** Seconds a fetch of b's 32 KB from a takes (busybox `time`, 10 ms resolution); Infinity when it fails. */
async function fetchSeconds(p: Pair): Promise<number> {
    const r = await execInContainer(p.a, ["sh", "-c", `time timeout 5 wget -q -O /dev/null http://${p.bIp}:8080/32k`], { timeoutMs: 10_000 });
    const m = /real\s+\d+m\s*([\d.]+)s/.exec(r.stderr);
    return r.exitCode === 0 && m ? Number(m[1]) : Infinity;
}

const bandwidth: BenchCase<Pair> = {
    kind: "docker:bandwidth",
    setup: (run) => pair(run, "bw"),
    spec: (p) => ({ target: { name: p.b }, rate: "1mbit" }),
    observed: async (p) => (await fetchSeconds(p)) >= 0.15,
    healthy: async (p) => (await fetchSeconds(p)) < 0.1,
    rawInject: (p) => [inNetns(p, p.b, "tc qdisc add dev eth0 root tbf rate 1mbit burst 32kbit latency 400ms")],
    rawRevert: (p) => [inNetns(p, p.b, "tc qdisc del dev eth0 root")],
};

// Refused at preview where the kernel has no sch_netem (this machine): the harness reports the reason instead of
// figures. Where netem exists, this is the row for `tc qdisc add ... netem delay`.
const netem: BenchCase<Pair> = {
    kind: "docker:netem",
    setup: (run) => pair(run, "netem"),
    spec: (p) => ({ target: { name: p.b }, delay: "200ms" }),
    observed: async (p) => (await fetchSeconds(p)) >= 0.2,
    healthy: async (p) => (await fetchSeconds(p)) < 0.1,
    rawInject: (p) => [inNetns(p, p.b, "tc qdisc add dev eth0 root netem delay 200ms")],
    rawRevert: (p) => [inNetns(p, p.b, "tc qdisc del dev eth0 root")],
};

export const benchCases = [partialPartition, dnsFailure, bandwidth, netem];
