import { z } from "zod";
import { formatDuration, parseDuration } from "../../../spec/units";
import type { DriverContext, FaultDriver, Observation, RevertOutcome } from "../../core/driver";
import { FaultError } from "../../core/errors";
import type { FaultOwner } from "../../core/labels";
import { connectRecord, connectSpec, noSuchProxy, ToxiproxyRef, toxiproxyWhere, unexpected, type ToxiproxyApiRecord, proxyFaultFields, reconnect, goneByUrl } from "../toxiproxy";
import { defineFault } from "../../core/defineFault";

/** The longest delay a toxic attribute accepts: beyond it the dependency is simply down. */
const MAX_TOXIC_DELAY_MS = 3_600_000;

/**
 * A delay written with its unit ("300ms", "2s", "1.5s"). Bare numbers are refused: Toxiproxy counts milliseconds
 * (microseconds for the slicer) where faultline's `ttl` counts seconds, so a unit is required. The parsed value
 * stays the written string: the provider validates the spec again, so parsing must be idempotent, and previews show
 * what the user wrote. `what` completes "required: …" when the field is missing.
 */
const delay = (what: string, opts: { wholeMs: boolean }) =>
    z
        .string({
            error: (issue) =>
                issue.input === undefined
                    ? `required: ${what}`
                    : 'write a duration with its unit, such as "300ms" or "2s" (a bare number is ambiguous: Toxiproxy counts milliseconds)',
        })
        .transform((v) => v.trim())
        .superRefine((v, ctx) => {
            const ms = parseDuration(v);
            if (ms === undefined) {
                ctx.addIssue({ code: "custom", message: `"${v}" is not a duration; write it like "300ms", "2s" or "1m"` });
            } else if (ms > MAX_TOXIC_DELAY_MS) {
                ctx.addIssue({
                    code: "custom",
                    message: `${formatDuration(ms)} is longer than 1h; for a dependency that never answers use type "timeout" with timeout "0s", or DependencyDown`,
                });
            } else if (opts.wholeMs && !Number.isInteger(ms)) {
                // Toxiproxy's attributes are integers: a fraction would be refused by its API at `up`.
                ctx.addIssue({ code: "custom", message: 'must be a whole number of milliseconds, e.g. "2ms", not "1.5ms"' });
            }
        });

/** A delay in whole milliseconds, which is what Toxiproxy's integer attributes take. */
const delayMs = (what: string) => delay(what, { wholeMs: true });

/** Milliseconds of a delay the schema has accepted. */
const ms = (d: string): number => parseDuration(d)!;

const WholeNumber = (what: string) =>
    z.number({ error: `required: ${what}` }).int("must be a whole number").nonnegative("must not be negative");

/** Fields every toxic has besides its type and attributes. */
const ToxicCommon = {
    /** Where the Toxiproxy is: `{ container: "demo-toxiproxy" }` or `{ url: "http://127.0.0.1:8474" }`. */
    toxiproxy: ToxiproxyRef,
    /** Name of the Toxiproxy proxy between the client and the dependency (it must exist when the fault is injected). */
    proxy: z
        .string({ error: "required: the name of the Toxiproxy proxy to add the toxic to (see GET /proxies or `toxiproxy-cli list`)" })
        .min(1, "must not be empty: give the name of a Toxiproxy proxy"),
    /** `downstream` (dependency → client, the default) or `upstream` (client → dependency). */
    stream: z.enum(["upstream", "downstream"], { error: 'must be "downstream" (dependency → client) or "upstream" (client → dependency)' }).default("downstream"),
    /** Share of connections the toxic applies to, from 0 (exclusive) to 1 (every connection, the default). */
    toxicity: z
        .number({ error: "must be a number between 0 and 1" })
        .gt(0, "must be greater than 0 (a toxic with toxicity 0 never applies)")
        .max(1, "must be at most 1 (every connection)")
        .default(1),
};

const Latency = z
    .object({
        type: z.literal("latency"),
        /** Delay added to the data, e.g. "300ms". */
        latency: delayMs('the delay to add, with its unit, e.g. "300ms"'),
        /** Random variation of the delay, plus or minus, e.g. "50ms". Defaults to "0ms". */
        jitter: delayMs("the jitter").default("0ms"),
        ...ToxicCommon,
    })
    .strict();

const Bandwidth = z
    .object({
        type: z.literal("bandwidth"),
        /** Maximum rate in kilobytes per second (KB/s), at least 1. */
        rate: WholeNumber("the rate limit in kilobytes per second (KB/s), e.g. 64").positive("must be at least 1 KB/s"),
        ...ToxicCommon,
    })
    .strict();

const Timeout = z
    .object({
        type: z.literal("timeout"),
        /** Data stops; the connection is closed after this long, or never with "0s" (held until the fault ends). */
        timeout: delayMs('when stalled connections close, e.g. "5s", or "0s" to keep them hanging until the fault ends'),
        ...ToxicCommon,
    })
    .strict();

const ResetPeer = z
    .object({
        type: z.literal("reset_peer"),
        /** Connections are reset (TCP RST) after this long; "0s" (the default) resets them at once. */
        timeout: delayMs("the delay before the reset").default("0ms"),
        ...ToxicCommon,
    })
    .strict();

const SlowClose = z
    .object({
        type: z.literal("slow_close"),
        /** How long closing a connection is delayed, e.g. "2s". */
        delay: delayMs('how long closing is delayed, e.g. "2s"'),
        ...ToxicCommon,
    })
    .strict();

const LimitData = z
    .object({
        type: z.literal("limit_data"),
        /** Connections are closed after this many bytes. */
        bytes: WholeNumber("the number of bytes after which connections are closed, e.g. 1024"),
        ...ToxicCommon,
    })
    .strict();

const Slicer = z
    .object({
        type: z.literal("slicer"),
        /** Average size in bytes of the slices data is cut into, at least 1. */
        averageSize: WholeNumber("the average size in bytes of the slices, e.g. 64").positive("must be at least 1 byte"),
        /** Variation of the slice size in bytes, smaller than averageSize. Defaults to 0. */
        sizeVariation: WholeNumber("a number of bytes").default(0),
        /** Delay between slices, e.g. "10ms" or "0.5ms" (microsecond precision). Defaults to "0ms". */
        delay: delay("the delay between slices", { wholeMs: false }).default("0ms"),
        ...ToxicCommon,
    })
    .strict()
    .refine((s) => s.sizeVariation < s.averageSize, {
        path: ["sizeVariation"],
        message: "must be smaller than averageSize",
    });

/**
 * Spec of a Toxiproxy toxic between a client and a dependency: one variant per toxic type, chosen by `type`, each
 * with the attributes of that type (durations with their units) and the common `toxiproxy`, `proxy`, `stream` and
 * `toxicity`.
 */
export const ToxiproxyToxicSpec = z.discriminatedUnion("type", [Latency, Bandwidth, Timeout, ResetPeer, SlowClose, LimitData, Slicer], {
    error: "the toxic type: one of latency, bandwidth, timeout, reset_peer, slow_close, limit_data, slicer",
});
export type ToxiproxyToxicSpec = z.infer<typeof ToxiproxyToxicSpec>;

/** The toxic types faultline drives. */
export type ToxicType = ToxiproxyToxicSpec["type"];

/** A toxic as Toxiproxy's API takes and returns it. */
export interface ToxicBody {
    name: string;
    type: ToxicType;
    stream: "upstream" | "downstream";
    toxicity: number;
    attributes: Record<string, number>;
}

/** Everything needed to find the toxic again and remove it. */
export interface ToxiproxyToxicRecord {
    api: ToxiproxyApiRecord;
    proxy: string;
    toxic: ToxicBody;
}

/** Toxiproxy's attributes for a spec, in its units (milliseconds; microseconds for the slicer's delay). */
export function toxicAttributes(spec: ToxiproxyToxicSpec): Record<string, number> {
    switch (spec.type) {
        case "latency":
            return { latency: ms(spec.latency), jitter: ms(spec.jitter) };
        case "bandwidth":
            return { rate: spec.rate };
        case "timeout":
            return { timeout: ms(spec.timeout) };
        case "reset_peer":
            return { timeout: ms(spec.timeout) };
        case "slow_close":
            return { delay: ms(spec.delay) };
        case "limit_data":
            return { bytes: spec.bytes };
        case "slicer":
            return { average_size: spec.averageSize, size_variation: spec.sizeVariation, delay: Math.round(ms(spec.delay) * 1000) };
    }
}

/**
 * The toxic's name, which carries its ownership (toxics have no labels): `faultline.<stack>.<fault>`. `recover`
 * and reapers find toxics by it, and a second injection of the same fault collides with it instead of stacking.
 */
export function toxicName(owner: Pick<FaultOwner, "stack" | "fault">): string {
    const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, "-");
    return `faultline.${safe(owner.stack)}.${safe(owner.fault)}`;
}

function effect(spec: ToxiproxyToxicSpec): string {
    const zero = (d: string) => ms(d) === 0;
    switch (spec.type) {
        case "latency":
            return `${spec.latency}${zero(spec.jitter) ? "" : ` ± ${spec.jitter}`} of latency`;
        case "bandwidth":
            return `a ${spec.rate} KB/s bandwidth limit`;
        case "timeout":
            return zero(spec.timeout) ? "a timeout (data stops, connections hang)" : `a timeout (data stops, connections close after ${spec.timeout})`;
        case "reset_peer":
            return zero(spec.timeout) ? "connection resets" : `connection resets after ${spec.timeout}`;
        case "slow_close":
            return `closes delayed by ${spec.delay}`;
        case "limit_data":
            return `connections closed after ${spec.bytes} bytes`;
        case "slicer":
            return `data sliced into ~${spec.averageSize}-byte pieces${zero(spec.delay) ? "" : ` ${spec.delay} apart`}`;
    }
}

/** The error for a toxic of this fault already on the proxy. */
function stillIn(proxy: string, name: string): FaultError {
    return new FaultError(
        "spec.proxy",
        `proxy "${proxy}" already has a toxic named "${name}": this fault is still in effect from an earlier run. ` +
            "Run `pulumi destroy` (or recover) for that run, or wait for its time-to-live",
    );
}


export const driver: FaultDriver<ToxiproxyToxicSpec, ToxiproxyToxicRecord, z.input<typeof ToxiproxyToxicSpec>> = {
    kind: "docker:toxiproxy-toxic",
    target: "docker",
    schema: ToxiproxyToxicSpec,

    describe: (spec) =>
        `add ${effect(spec)} to the ${spec.stream} of Toxiproxy proxy "${spec.proxy}" (${toxiproxyWhere(spec.toxiproxy)})` +
        (spec.toxicity < 1 ? ` on ${Math.round(spec.toxicity * 100)}% of connections` : ""),

    ...proxyFaultFields,

    async prepare(spec, ctx) {
        const { api, record } = await connectSpec(spec.toxiproxy, "spec.toxiproxy");
        // The toxic's name comes from the fault's identity, so the record names it before it exists.
        const toxic: ToxicBody = {
            name: toxicName(ctx.owner),
            type: spec.type,
            stream: spec.stream,
            toxicity: spec.toxicity,
            attributes: toxicAttributes(spec),
        };
        const r = await api.request("GET", `/proxies/${encodeURIComponent(spec.proxy)}/toxics/${encodeURIComponent(toxic.name)}`);
        if (r.status === 200) throw stillIn(spec.proxy, toxic.name);
        if (r.status === 404 && /proxy not found/.test(String(r.body?.error))) throw await noSuchProxy(api, spec.proxy, "spec.proxy");
        if (r.status !== 404) unexpected(api, `reading toxic "${toxic.name}" of proxy "${spec.proxy}"`, r);
        return { api: record(), proxy: spec.proxy, toxic };
    },

    async apply(record) {
        const c = await connectRecord(record.api);
        if ("gone" in c) throw new FaultError("spec.toxiproxy", c.gone);
        const r = await c.api.request("POST", `/proxies/${encodeURIComponent(record.proxy)}/toxics`, record.toxic);
        if (r.status === 404) throw await noSuchProxy(c.api, record.proxy, "spec.proxy");
        if (r.status === 409) throw stillIn(record.proxy, record.toxic.name);
        if (r.status !== 200) unexpected(c.api, `adding toxic "${record.toxic.name}" to proxy "${record.proxy}"`, r);
    },

    async revert(record, ctx): Promise<RevertOutcome> {
        const api = await reconnect(record.api, "the fault went with it", ctx);
        if (!api) return "target-gone";
        let r;
        try {
            r = await api.request("DELETE", `/proxies/${encodeURIComponent(record.proxy)}/toxics/${encodeURIComponent(record.toxic.name)}`);
        } catch (err) {
            if (!goneByUrl(err, record.api)) throw err;
            ctx.warn(`${(err as Error).message}: no Toxiproxy runs there any more, and its toxics went with it`);
            return "target-gone";
        }
        if (r.status === 204 || r.status === 200) return "reverted";
        if (r.status === 404 && /proxy not found/.test(String(r.body?.error))) {
            ctx.warn(`proxy "${record.proxy}" no longer exists on the Toxiproxy of ${api.where}; its toxics went with it`);
            return "target-gone";
        }
        if (r.status === 404) return "already-reverted";
        unexpected(api, `removing toxic "${record.toxic.name}" from proxy "${record.proxy}"`, r);
    },

    async observe(record): Promise<Observation> {
        const api = await reconnect(record.api, "the fault went with it");
        const what = `toxic "${record.toxic.name}" on proxy "${record.proxy}"`;
        if (!api) return { active: false, detail: `${what}: the Toxiproxy is gone` };
        let r;
        try {
            r = await api.request("GET", `/proxies/${encodeURIComponent(record.proxy)}/toxics/${encodeURIComponent(record.toxic.name)}`);
        } catch (err) {
            if (goneByUrl(err, record.api)) return { active: false, detail: `${what}: no Toxiproxy at ${record.api.hostUrl}` };
            throw err;
        }
        if (r.status === 200) return { active: true, detail: `${what} is in place (${r.body.type}, ${JSON.stringify(r.body.attributes)})` };
        if (r.status === 404) return { active: false, detail: `${what} is gone` };
        unexpected(api, `reading ${what}`, r);
    },
};

/**
 * A Toxiproxy toxic between a client and a dependency: latency, bandwidth, timeout, reset_peer, slow_close,
 * limit_data or slicer.
 *
 * `pulumi up` adds the toxic to the proxy through Toxiproxy's HTTP API, named `faultline.<stack>.<fault>` (toxics
 * have no labels, so the name carries the ownership); `pulumi destroy` removes it. Injecting fails, naming the
 * field, when the proxy does not exist (the message lists those that do) or when the toxic is already there from an
 * earlier run. After `ttl`, a reaper container in the Toxiproxy container's network namespace removes the toxic on
 * its own, even if every faultline process was killed.
 *
 * ```ts
 * new ToxiproxyToxic("slow-db", {
 *     toxiproxy: { container: "demo-toxiproxy" }, proxy: "postgres",
 *     type: "latency", latency: "300ms", jitter: "50ms", ttl: "5m",
 * });
 * ```
 */
export const fault = defineFault({
    failureClass: "slow-dependency",
    component: "ToxiproxyToxic",
    up: "adds a latency/jitter, bandwidth, timeout, reset_peer, slow_close, limit_data or slicer toxic to a Toxiproxy proxy",
    revert: "removes the toxic",
    docs: "[toxiproxy](docs/toxiproxy.md)",
    module: __filename,
    driver,
    fields: (spec, owner) => ({ proxy: spec.proxy, toxicType: spec.type, toxicName: toxicName(owner) }),
});
