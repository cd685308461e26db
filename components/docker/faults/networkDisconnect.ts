import { z } from "zod";
import { dockerClient, inspectContainer, inspectNetwork } from "../../core/docker";
import type { FaultDriver, Observation, RevertOutcome } from "../../core/driver";
import { FaultError } from "../../core/errors";
import { isFaultlineOwn } from "../../core/labels";
import { defineFault } from "../../core/defineFault";
import { attachedTargets } from "../targets";

/** Spec of a network partition: one container cut off one Docker network. */
export const NetworkDisconnectSpec = z
    .object({
        /** Name or ID of the container to cut off. */
        container: z
            .string({ error: "required: the name or ID of the container to cut off (see `docker ps`)" })
            .min(1, "must not be empty: give the name or ID of the container to cut off"),
        /** Name or ID of the network to cut it off from. */
        network: z
            .string({ error: "required: the name or ID of the Docker network to cut it off from (see `docker network ls`)" })
            .min(1, "must not be empty: give the name or ID of a Docker network"),
    })
    .strict();
export type NetworkDisconnectSpec = z.infer<typeof NetworkDisconnectSpec>;

/**
 * Exactly how the container was attached, so that revert reattaches it the same way: the endpoint settings its owner
 * gave (pinned addresses, aliases, links, driver options) and the MAC address it had. What Docker cannot restore:
 * the interface's name (a reconnected endpoint becomes the next `ethN` of the container; Docker before 28 has no way
 * to choose it) and its order among the container's interfaces, until the container is restarted.
 */
export interface NetworkDisconnectRecord {
    containerId: string;
    containerName: string;
    networkId: string;
    networkName: string;
    /** User aliases (Docker's automatic short-ID alias is left out: Docker adds it back itself). */
    aliases: string[];
    /**
     * The endpoint's IPAM config: the addresses its owner pinned (`docker run --ip`, Compose `ipv4_address`). Absent
     * when Docker chose them; then revert lets Docker choose again, rather than pin what was never pinned.
     */
    ipamConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] };
    /** The addresses it had, pinned or not (for messages and observation). */
    ipv4Address?: string;
    ipv6Address?: string;
    /** Legacy links (`--link`) of the endpoint; absent when it had none (Docker reports none as null, not []). */
    links?: string[];
    macAddress?: string;
    driverOpts?: Record<string, string>;
}

interface Endpoint {
    NetworkID?: string;
    IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
    Aliases?: string[] | null;
    Links?: string[] | null;
    IPAddress?: string;
    GlobalIPv6Address?: string;
    MacAddress?: string;
    DriverOpts?: Record<string, string> | null;
}

function findEndpoint(networks: Record<string, Endpoint> | undefined, networkId: string): Endpoint | undefined {
    return Object.values(networks ?? {}).find((e) => e.NetworkID === networkId);
}

/**
 * Docker refuses a pinned address that another container holds now (after an engine restart, containers that came
 * back first may get it), or on a network whose subnet is no longer user-configured. Either way the container can
 * still be reattached with an address Docker chooses; these are the only errors revert retries, and only once.
 */
function pinnedAddressRefused(err: unknown): boolean {
    return /address already in use|user specified IP address is supported only|invalid IPv4 address|requested address|no available/i.test(String(err));
}

/** The engine's own message in a Docker API error (dockerode wraps it in "(HTTP code N) unexpected - ..."). */
function engineMessage(err: unknown): string {
    return ((err as { json?: { message?: string } }).json?.message ?? String(err).split("\n")[0]!).trim();
}

/** The endpoint settings to reconnect with: the recorded ones, and no key Docker would store differently. */
function endpointConfig(record: NetworkDisconnectRecord, pinned: boolean): Record<string, unknown> {
    const ipam = record.ipamConfig;
    return {
        ...(record.aliases.length > 0 ? { Aliases: record.aliases } : {}),
        ...(record.links && record.links.length > 0 ? { Links: record.links } : {}),
        ...(record.macAddress ? { MacAddress: record.macAddress } : {}),
        ...(record.driverOpts ? { DriverOpts: record.driverOpts } : {}),
        ...(pinned && ipam ? { IPAMConfig: ipam } : {}),
    };
}

export const driver: FaultDriver<NetworkDisconnectSpec, NetworkDisconnectRecord, z.input<typeof NetworkDisconnectSpec>> = {
    kind: "docker:network-disconnect",
    target: "docker",
    schema: NetworkDisconnectSpec,

    describe: (spec) => `disconnect container "${spec.container}" from Docker network "${spec.network}"`,

    checkTargets: (spec) => attachedTargets(spec.container, spec.network, "spec.container", "spec.network"),

    async plan(spec) {
        const c = await inspectContainer(spec.container);
        return c ? [{ name: c.Name.replace(/^\//, ""), labels: c.Config.Labels ?? {} }] : [];
    },

    // Two-phase (see FaultDriver.prepare): the record is taken first, the reaper armed, then the cut made.
    async prepare(spec) {
        const [container, network] = await Promise.all([inspectContainer(spec.container), inspectNetwork(spec.network)]);
        if (!network) {
            throw new FaultError("spec.network", `no such network "${spec.network}"; list networks with \`docker network ls\``);
        }
        if (!container) {
            throw new FaultError("spec.container", `no such container "${spec.container}"; list containers with \`docker ps -a\``);
        }
        if (isFaultlineOwn(container.Config.Labels)) {
            throw new FaultError("spec.container", `"${spec.container}" is one of faultline's own reapers or helpers, which no fault may target`);
        }
        const name = container.Name.replace(/^\//, "");
        const endpoint = findEndpoint(container.NetworkSettings.Networks as Record<string, Endpoint>, network.Id);
        if (!endpoint) {
            const attached = Object.keys(container.NetworkSettings.Networks ?? {}).join(", ") || "none";
            throw new FaultError(
                "spec.container",
                `container "${name}" is not attached to network "${network.Name}" (it is attached to: ${attached}); ` +
                    "pick one of those networks or attach it first",
            );
        }
        const shortId = container.Id.slice(0, 12);
        const ipam = endpoint.IPAMConfig;
        const pinned = ipam && (ipam.IPv4Address || ipam.IPv6Address || (ipam.LinkLocalIPs ?? []).length > 0);
        const record: NetworkDisconnectRecord = {
            containerId: container.Id,
            containerName: name,
            networkId: network.Id,
            networkName: network.Name,
            aliases: (endpoint.Aliases ?? []).filter((a) => a !== shortId && a !== container.Id),
            ...(pinned ? { ipamConfig: ipam } : {}),
            ...(endpoint.Links && endpoint.Links.length > 0 ? { links: endpoint.Links } : {}),
            ...(endpoint.IPAddress ? { ipv4Address: endpoint.IPAddress } : {}),
            ...(endpoint.GlobalIPv6Address ? { ipv6Address: endpoint.GlobalIPv6Address } : {}),
            ...(endpoint.MacAddress ? { macAddress: endpoint.MacAddress } : {}),
            ...(endpoint.DriverOpts ? { driverOpts: endpoint.DriverOpts } : {}),
        };
        return record;
    },

    async apply(record) {
        await dockerClient().getNetwork(record.networkId).disconnect({ Container: record.containerId, Force: false });
    },

    async revert(record, ctx): Promise<RevertOutcome> {
        const container = await inspectContainer(record.containerId);
        if (!container) {
            ctx.warn(`container "${record.containerName}" no longer exists; nothing to reconnect to "${record.networkName}"`);
            return "target-gone";
        }
        if (findEndpoint(container.NetworkSettings.Networks as Record<string, Endpoint>, record.networkId)) {
            return "already-reverted";
        }
        const network = await inspectNetwork(record.networkId);
        if (!network) {
            ctx.warn(`network "${record.networkName}" no longer exists; cannot reconnect "${record.containerName}"`);
            return "target-gone";
        }
        const net = dockerClient().getNetwork(record.networkId);
        try {
            await net.connect({ Container: record.containerId, EndpointConfig: endpointConfig(record, true) });
        } catch (err) {
            if (!record.ipamConfig || !pinnedAddressRefused(err)) throw err;
            // Once, with an address Docker chooses: retrying the pinned one would fail the same way at every try.
            await net.connect({ Container: record.containerId, EndpointConfig: endpointConfig(record, false) });
            const now = findEndpoint((await inspectContainer(record.containerId))?.NetworkSettings.Networks as Record<string, Endpoint>, record.networkId);
            const pinnedTo = record.ipamConfig.IPv4Address ?? record.ipamConfig.IPv6Address;
            ctx.warn(
                `"${record.containerName}" was pinned to ${pinnedTo} on "${record.networkName}", which Docker refused now ` +
                    `("${engineMessage(err)}"); reconnected with the address Docker chose, ${now?.IPAddress || now?.GlobalIPv6Address || "unknown"}, ` +
                    `and no pin: reconnect it by hand to pin it again (\`docker network disconnect\`, then \`docker network connect --ip ${pinnedTo}\`)`,
            );
        }
        return "reverted";
    },

    async observe(record): Promise<Observation> {
        const container = await inspectContainer(record.containerId);
        if (!container) return { active: false, detail: `container "${record.containerName}" is gone` };
        const attached = !!findEndpoint(container.NetworkSettings.Networks as Record<string, Endpoint>, record.networkId);
        return attached
            ? { active: false, detail: `"${record.containerName}" is attached to "${record.networkName}"` }
            : { active: true, detail: `"${record.containerName}" is cut off from "${record.networkName}"` };
    },
};

/**
 * A network partition: one container cut off one Docker network.
 *
 * `pulumi up` disconnects the container and records exactly how it was attached (aliases, IPv4/IPv6 address, links,
 * MAC address); `pulumi destroy` reconnects it that way. If the container was removed in the meantime, destroy warns
 * and succeeds, because there is nothing left to restore. After `ttl`, a reaper container reconnects it on its own.
 *
 * ```ts
 * new NetworkDisconnect("db-partition", { container: "demo-db", network: "demo-backend", ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "dependency-outage",
    component: "NetworkDisconnect",
    up: "disconnects a container from a network, recording aliases, IPs, links, MAC",
    revert: "reconnects it exactly so; warns and succeeds if the container is gone",
    docs: "below",
    module: __filename,
    driver,
    fields: (spec) => ({ container: spec.container, network: spec.network }),
});
