import { dockerClient, execInContainer } from "../../components/core/docker";
import { runHelper } from "../../components/docker/helper";
import { TEST_LABEL } from "./docker";

/** Runs `script` in the network namespace of `container` with NET_ADMIN, from a helper labelled with the test run. */
async function inNetns(container: string, script: string, run: string): Promise<string> {
    const id = (await dockerClient().getContainer(container).inspect()).Id;
    const r = await runHelper({ cmd: ["sh", "-c", script], labels: { [TEST_LABEL]: run }, networkMode: `container:${id}`, capAdd: ["NET_ADMIN"] });
    if (r.exitCode !== 0) throw new Error(`${script} in ${container} failed: ${r.stderr}`);
    return r.stdout;
}

/** Every iptables rule in the namespace of `container` that carries a faultline comment, as iptables-save prints it. */
export async function faultlineRules(container: string, run: string): Promise<string[]> {
    const out = await inNetns(container, "iptables-save | grep -- '--comment \"faultline:' || true", run);
    return out.split("\n").filter(Boolean);
}

/** The root qdisc of `dev` in the namespace of `container`, e.g. `qdisc noqueue 0: root refcnt 2`. */
export async function rootQdisc(container: string, run: string, dev = "eth0"): Promise<string> {
    return (await inNetns(container, `tc qdisc show dev ${dev} root`, run)).trim();
}

/** The IPv4 address of `container` on `network`. */
export async function ipOf(container: string, network: string): Promise<string> {
    const info = await dockerClient().getContainer(container).inspect();
    const ip = info.NetworkSettings.Networks[network]?.IPAddress;
    if (!ip) throw new Error(`${container} has no address on ${network}`);
    return ip;
}

/** Seconds `from` takes to download `url` (busybox `time`, 10 ms resolution), or undefined if it failed. */
export async function transferSeconds(from: string, url: string, timeoutS = 30): Promise<number | undefined> {
    const r = await execInContainer(from, ["sh", "-c", `time timeout ${timeoutS} wget -q -O /dev/null ${url}`], {
        timeoutMs: (timeoutS + 5) * 1000,
    });
    if (r.exitCode !== 0) return undefined;
    const m = /real\s+(\d+)m\s*([\d.]+)s/.exec(r.stderr);
    if (!m) throw new Error(`cannot read the time of the transfer from: ${r.stderr}`);
    return Number(m[1]) * 60 + Number(m[2]);
}

/** True when `from` resolves `name` through its configured resolver within `timeoutS` seconds. */
export async function canResolve(from: string, name: string, timeoutS = 3): Promise<boolean> {
    const r = await execInContainer(from, ["timeout", String(timeoutS), "nslookup", name], { timeoutMs: (timeoutS + 5) * 1000 });
    return r.exitCode === 0;
}

/** Containers with `label=value` (any state): reapers and helpers a stack left behind. */
export async function containersLabelled(label: string, value: string): Promise<string[]> {
    const list = await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [`${label}=${value}`] }) });
    return list.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, ""));
}

/** Deletes every iptables rule with a faultline comment in the namespace of `container`, as an operator would. */
export async function removeFaultlineRules(container: string, run: string): Promise<void> {
    await inNetns(container, "iptables-save | grep -v -- '--comment \"faultline:' | iptables-restore", run);
}

/** Deletes the root qdisc of `dev` in the namespace of `container` (the kernel puts its default back), by hand. */
export async function removeRootQdisc(container: string, run: string, dev = "eth0"): Promise<void> {
    await inNetns(container, `tc qdisc del dev ${dev} root`, run);
}
