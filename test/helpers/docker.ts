import { randomBytes } from "node:crypto";
import { dockerClient, execInContainer } from "../../components/core/docker";
import { OPT_IN_LABEL, OPT_IN_VALUE } from "../../components/core/labels";

/** Label on everything a test creates, valued with the test run's id, so cleanup and leak checks find it. */
export const TEST_LABEL = "dev.faultline.test";

/** A short random id that keeps names of parallel or repeated test runs apart. */
export function runId(): string {
    return randomBytes(3).toString("hex");
}

/**
 * The hang guard of a real-engine suite (a `describe`'s timeout). Generous on purpose: files run concurrently on an
 * engine and two cores that other work shares, where one `pulumi up` can take minutes; how fast things are is for the
 * benchmarks (docs/benchmarks.md) to say, not for a timeout.
 */
export const SUITE_TIMEOUT_MS = 1_800_000;

export const BUSYBOX = process.env.FAULTLINE_IMAGE_BUSYBOX ?? "faultline/busybox:1";

/**
 * Creates a bridge network with a user-configured subnet (Docker only pins container IPs on such networks), trying
 * a few /24s in 10.213.0.0/16 until one does not overlap an existing network.
 */
export async function createNetwork(name: string, run: string): Promise<{ name: string; subnet: string }> {
    const docker = dockerClient();
    let lastErr: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
        const subnet = `10.213.${Math.floor(Math.random() * 250) + 1}.0/24`;
        try {
            await docker.createNetwork({
                Name: name,
                Driver: "bridge",
                IPAM: { Config: [{ Subnet: subnet }] },
                Labels: { [TEST_LABEL]: run },
            });
            return { name, subnet };
        } catch (err) {
            lastErr = err;
            if (!/overlap/i.test(String(err))) throw err;
        }
    }
    throw lastErr;
}

/** Options of {@link runContainer}. */
export interface RunContainerOptions {
    name: string;
    run: string;
    cmd: string[];
    image?: string;
    network?: string;
    aliases?: string[];
    /** Container port to publish on 127.0.0.1 (a free host port is chosen unless `hostPort` is given). */
    publish?: number;
    /**
     * Fixed host port for `publish`. Needed when a fault disconnects the container: Docker re-publishes a random
     * port on a different number when it is reconnected, a fixed one on the same number.
     */
    hostPort?: number;
    labels?: Record<string, string>;
    /**
     * Carries the opt-in label (chaos.opt-in=true), as a user's fault targets must: the provider refuses others.
     * Defaults to true; false for tests of that refusal.
     */
    optIn?: boolean;
    /** Environment, as `KEY=value` strings. */
    env?: string[];
    /** tmpfs mounts: path → options, e.g. `{ "/data": "size=16m" }`. */
    tmpfs?: Record<string, string>;
    /** Memory limit in bytes. */
    memory?: number;
    /** Extra HostConfig fields, e.g. resource limits (`CpuQuota`, `Memory`) or a `RestartPolicy`. */
    hostConfig?: Record<string, unknown>;
    /** Extra endpoint settings on `network`, e.g. a pinned address (`IPAMConfig`) or `Links`. */
    endpoint?: Record<string, unknown>;
}

/** Starts a container (like `docker run -d`) and returns its id. Ports are only ever published on loopback. */
export async function runContainer(o: RunContainerOptions): Promise<string> {
    const docker = dockerClient();
    const container = await docker.createContainer({
        name: o.name,
        Image: o.image ?? BUSYBOX,
        Cmd: o.cmd,
        Labels: { [TEST_LABEL]: o.run, ...(o.optIn === false ? {} : { [OPT_IN_LABEL]: OPT_IN_VALUE }), ...o.labels },
        ...(o.env ? { Env: o.env } : {}),
        ...(o.publish ? { ExposedPorts: { [`${o.publish}/tcp`]: {} } } : {}),
        HostConfig: {
            ...o.hostConfig,
            ...(o.network ? { NetworkMode: o.network } : {}),
            ...(o.tmpfs ? { Tmpfs: o.tmpfs } : {}),
            ...(o.memory ? { Memory: o.memory } : {}),
            ...(o.publish ? { PortBindings: { [`${o.publish}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: o.hostPort ? String(o.hostPort) : "" }] } } : {}),
        },
        ...(o.network
            ? { NetworkingConfig: { EndpointsConfig: { [o.network]: { Aliases: o.aliases ?? [], ...o.endpoint } } } }
            : {}),
    });
    await container.start();
    return container.id;
}

/** True when `from` can fetch `url` over HTTP within `timeoutS` seconds. */
export async function canFetch(from: string, url: string, timeoutS = 3): Promise<boolean> {
    // busybox wget's own -T crashes in the static Debian build; the `timeout` applet bounds it instead.
    const r = await execInContainer(from, ["timeout", String(timeoutS), "wget", "-q", "-O", "-", url], {
        timeoutMs: (timeoutS + 5) * 1000,
    });
    return r.exitCode === 0;
}

/** The status line `from` gets for `url` (busybox wget -S), "" when no answer came within `timeoutS` seconds. */
export async function statusLine(from: string, url: string, timeoutS = 3): Promise<string> {
    const r = await execInContainer(from, ["sh", "-c", `timeout ${timeoutS} wget -S -q -O /dev/null ${url} 2>&1 | head -1`]);
    return r.stdout.trim();
}

/** How a container is attached to a network right now (undefined when it is not). */
export async function endpointOf(container: string, network: string) {
    const info = await dockerClient().getContainer(container).inspect();
    const ep = info.NetworkSettings.Networks[network];
    if (!ep) return undefined;
    const shortId = info.Id.slice(0, 12);
    return {
        ip: ep.IPAddress,
        aliases: (ep.Aliases ?? []).filter((a: string) => a !== shortId).sort(),
    };
}

/** Removes every container and network labelled with this test run. */
export async function cleanupRun(run: string): Promise<void> {
    const docker = dockerClient();
    const filters = JSON.stringify({ label: [`${TEST_LABEL}=${run}`] });
    for (const c of await docker.listContainers({ all: true, filters })) {
        await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    for (const n of await docker.listNetworks({ filters })) {
        await docker.getNetwork(n.Id).remove().catch(() => undefined);
    }
}

