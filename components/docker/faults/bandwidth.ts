import { z } from "zod";
import type { FaultDriver } from "../../core/driver";
import { ownerLabels, type FaultOwner } from "../../core/labels";
import { injectAll, observeAll, revertAll, selectTargets } from "../netns";
import { checkRootQdiscs, FAULT_HANDLE, faultHandle, InterfaceName, installRootQdisc, type QdiscTarget, isFaultQdisc, parseRootQdisc, removeRootQdisc, showRootQdisc } from "../qdisc";
import { ContainerSelector, selectContainers } from "../selector";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Spec of a bandwidth limit: a token bucket filter (tc tbf) on what the targets send out of one interface. */
export const BandwidthSpec = z
    .object({
        /** The containers whose interface is throttled (selector and blast radius). */
        target: ContainerSelector,
        /** The interface inside the container. Defaults to `eth0`. */
        interface: InterfaceName,
        /**
         * The rate, in tc's units: `bit`, `kbit`, `mbit`, `gbit` are bits per second; `bps`, `kbps`, `mbps`, `gbps`
         * are BYTES per second. E.g. `1mbit`.
         */
        rate: z
            .string({ error: 'required: a rate in tc units, e.g. "1mbit" (bits/s) or "128kbps" (bytes/s)' })
            .regex(/^\d+(\.\d+)?(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$/, 'must be a rate in tc units, e.g. "1mbit", "512kbit" or "128kbps" (bytes/s)'),
        /** Bucket size: how much may go out at once above the rate, e.g. `32kbit`, `10kb`. Defaults to `32kbit`. */
        burst: z
            .string()
            .regex(/^\d+(b|k|kb|m|mb|g|gb|kbit|mbit|gbit)?$/, 'must be a size in tc units, e.g. "32kbit", "10kb" or "1500b"')
            .default("32kbit"),
        /** Longest a packet may wait in the bucket before it is dropped, e.g. `400ms`. Defaults to `400ms`. */
        latency: z
            .string()
            .regex(/^\d+(\.\d+)?(s|ms|us)$/, 'must be a time in tc units, e.g. "400ms", "1s" or "500us"')
            .default("400ms"),
    })
    .strict();
export type BandwidthSpec = z.infer<typeof BandwidthSpec>;

/** Everything revert needs. */
export interface BandwidthRecord {
    targets: QdiscTarget[];
    interface: string;
    /** The qdisc installed, as tc arguments after `handle <handle>`. */
    qdisc: string[];
    /** The root qdisc's handle, chosen from the owner (faultHandle); absent in older records, which used `fa17:`. */
    handle?: string;
    owner: FaultOwner;
}

/** The tc arguments of the token bucket filter for a spec. */
export function tbfArgs(spec: Pick<BandwidthSpec, "rate" | "burst" | "latency">): string[] {
    return ["tbf", "rate", spec.rate, "burst", spec.burst, "latency", spec.latency];
}

export const driver: FaultDriver<BandwidthSpec, BandwidthRecord, z.input<typeof BandwidthSpec>> = {
    kind: "docker:bandwidth",
    target: "docker",
    schema: BandwidthSpec,

    describe: (spec) => `limit what the selected containers send on ${spec.interface} to ${spec.rate} (tc tbf, burst ${spec.burst})`,

    checkTargets: (spec) => selectorTargets(spec.target),

    async plan(spec) {
        return (await selectContainers(spec.target, "spec.target")).map((c) => ({ name: c.name, labels: c.labels }));
    },

    async prepare(spec, ctx) {
        const targets = await selectTargets(spec.target, "spec.target");
        const labels = ownerLabels(ctx.owner);
        const handle = faultHandle(ctx.owner);
        // The qdisc each target has now: revert restores the kernel's default, so only that is accepted here.
        const befores = await checkRootQdiscs(targets, spec.interface, labels);
        return { targets: targets.map((t, i) => ({ ...t, before: befores[i]! })), interface: spec.interface, qdisc: tbfArgs(spec), handle, owner: ctx.owner };
    },

    async apply(record) {
        const labels = ownerLabels(record.owner);
        const handle = record.handle ?? FAULT_HANDLE;
        await injectAll(
            record.targets,
            (t) => installRootQdisc(t, record.interface, record.qdisc, handle, labels),
            (t) => removeRootQdisc(t, record.interface, "tbf", handle, labels),
        );
    },

    async revert(record, ctx) {
        const labels = ownerLabels(record.owner);
        return revertAll(
            record.targets,
            async (t) => {
                const r = await removeRootQdisc(t, record.interface, "tbf", record.handle ?? FAULT_HANDLE, labels);
                const was = parseRootQdisc(t.before)?.kind;
                const now = r.removed ? parseRootQdisc(r.now)?.kind : undefined;
                if (r.removed && was !== now) {
                    ctx.warn(`${record.interface} of "${t.name}" had root qdisc ${was ?? "?"} before the fault and has ${now ?? "?"} now`);
                }
                return r.removed;
            },
            ctx,
        );
    },

    async observe(record) {
        const labels = ownerLabels(record.owner);
        return observeAll(
            record.targets,
            async (t) => isFaultQdisc(await showRootQdisc(t, record.interface, labels), "tbf", record.handle ?? FAULT_HANDLE),
            `tbf on ${record.interface}`,
        );
    },
};

/**
 * A bandwidth limit: a token bucket filter (`tc qdisc ... tbf`) on what the targets send out of one interface
 * (their egress: a throttled server answers slowly; to slow what it receives, throttle its clients).
 *
 * `pulumi up` records the interface's root qdisc (it must be the kernel's default) and installs the tbf with
 * the fault's own handle (`f000:`-`ffef:`, from its stack and name), from a short-lived helper container with NET_ADMIN only; `pulumi destroy` removes
 * that tbf, which brings the default back. After `ttl`, a reaper container removes it on its own.
 *
 * ```ts
 * new BandwidthLimit("slow-api", { target: { name: "api" }, rate: "1mbit", ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "slow-dependency",
    component: "BandwidthLimit",
    up: "tc tbf on a container interface",
    revert: "restores the previous root qdisc",
    docs: "[network](docs/network-faults.md)",
    module: __filename,
    driver,
    fields: (spec) => ({ rate: spec.rate }),
});
