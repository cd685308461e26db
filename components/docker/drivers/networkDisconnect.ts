import { z } from "zod";
import { dockerClient, isNotFound } from "../../core/docker";
import type { FaultDriver, Observation, RevertOutcome } from "../../core/driver";
import { FaultError } from "../../core/errors";

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

/** Exactly how the container was attached, so that revert reattaches it the same way. */
export interface NetworkDisconnectRecord {
    containerId: string;
    containerName: string;
    networkId: string;
    networkName: string;
    /** User aliases (Docker's automatic short-ID alias is left out: Docker adds it back itself). */
    aliases: string[];
    ipv4Address?: string;
    ipv6Address?: string;
    links: string[];
    macAddress?: string;
    driverOpts?: Record<string, string>;
}

interface Endpoint {
    NetworkID?: string;
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

async function inspectContainer(ref: string) {
    try {
        return await dockerClient().getContainer(ref).inspect();
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

async function inspectNetwork(ref: string): Promise<{ Id: string; Name: string } | undefined> {
    try {
        return (await dockerClient().getNetwork(ref).inspect()) as { Id: string; Name: string };
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

/** Docker refuses a fixed IP on networks without a user-configured subnet; that is the only error we retry. */
function isFixedIpRefused(err: unknown): boolean {
    return /user specified IP address is supported only|invalid IPv4 address|requested address/i.test(String(err));
}

export const driver: FaultDriver<NetworkDisconnectSpec, NetworkDisconnectRecord> = {
    kind: "docker:network-disconnect",
    target: "docker",
    schema: NetworkDisconnectSpec,

    describe: (spec) => `disconnect container "${spec.container}" from Docker network "${spec.network}"`,

    async plan(spec) {
        const c = await inspectContainer(spec.container);
        return c ? [{ name: c.Name.replace(/^\//, ""), labels: c.Config.Labels ?? {} }] : [];
    },

    // Two-phase (see FaultDriver.prepare): the record is taken first, the reaper armed, then the cut made.
    async prepare(spec) {
        const [container, network] = await Promise.all([inspectContainer(spec.container), inspectNetwork(spec.network)]);
        if (!network) {
            throw new FaultError("spec.network", `no Docker network "${spec.network}"; list networks with \`docker network ls\``);
        }
        if (!container) {
            throw new FaultError("spec.container", `no container "${spec.container}"; list containers with \`docker ps -a\``);
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
        const record: NetworkDisconnectRecord = {
            containerId: container.Id,
            containerName: name,
            networkId: network.Id,
            networkName: network.Name,
            aliases: (endpoint.Aliases ?? []).filter((a) => a !== shortId && a !== container.Id),
            links: endpoint.Links ?? [],
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
        const base = {
            Aliases: record.aliases,
            Links: record.links,
            ...(record.macAddress ? { MacAddress: record.macAddress } : {}),
            ...(record.driverOpts ? { DriverOpts: record.driverOpts } : {}),
        };
        const ipam = {
            ...(record.ipv4Address ? { IPv4Address: record.ipv4Address } : {}),
            ...(record.ipv6Address ? { IPv6Address: record.ipv6Address } : {}),
        };
        const net = dockerClient().getNetwork(record.networkId);
        try {
            await net.connect({ Container: record.containerId, EndpointConfig: { ...base, IPAMConfig: ipam } });
        } catch (err) {
            if (!isFixedIpRefused(err)) throw err;
            ctx.warn(
                `network "${record.networkName}" has no user-configured subnet, so Docker cannot pin ` +
                    `${record.ipv4Address ?? record.ipv6Address}; "${record.containerName}" was reconnected with a new address`,
            );
            await net.connect({ Container: record.containerId, EndpointConfig: base });
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
