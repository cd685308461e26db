import { z } from "zod";
import type { DriverContext, FaultDriver, Observation, RevertOutcome } from "../../core/driver";
import { FaultError } from "../../core/errors";
import { connectSpec, noSuchProxy, ToxiproxyRef, toxiproxyWhere, unexpected, type ToxiproxyApi, type ToxiproxyApiRecord, proxyFaultFields, reconnect, goneByUrl } from "../toxiproxy";
import { defineFault } from "../../core/defineFault";

/** Spec of a dependency that is down: its Toxiproxy proxy disabled, so every connection through it is refused. */
export const DependencyDownSpec = z
    .object({
        /** Where the Toxiproxy is: `{ container: "demo-toxiproxy" }` or `{ url: "http://127.0.0.1:8474" }`. */
        toxiproxy: ToxiproxyRef,
        /** Name of the Toxiproxy proxy in front of the dependency. */
        proxy: z
            .string({ error: "required: the name of the Toxiproxy proxy to disable (see GET /proxies or `toxiproxy-cli list`)" })
            .min(1, "must not be empty: give the name of a Toxiproxy proxy"),
    })
    .strict();
export type DependencyDownSpec = z.infer<typeof DependencyDownSpec>;

/** Everything needed to bring the dependency back, and only if faultline took it down. */
export interface DependencyDownRecord {
    api: ToxiproxyApiRecord;
    proxy: string;
    /** Whether the proxy was enabled before the fault. Revert re-enables it only if it was. */
    wasEnabled: boolean;
}

async function readProxy(api: ToxiproxyApi, proxy: string) {
    return api.request("GET", `/proxies/${encodeURIComponent(proxy)}`);
}

async function setEnabled(api: ToxiproxyApi, proxy: string, enabled: boolean): Promise<void> {
    // PATCH: Toxiproxy 2.6+ deprecates POST for proxy updates; only `enabled` is sent, the rest is kept.
    const r = await api.request("PATCH", `/proxies/${encodeURIComponent(proxy)}`, { enabled });
    if (r.status !== 200) unexpected(api, `${enabled ? "enabling" : "disabling"} proxy "${proxy}"`, r);
}

/** Connects for a revert or observe (see toxiproxy.ts, reconnect). */
function reconnectFor(record: DependencyDownRecord, ctx?: DriverContext): Promise<ToxiproxyApi | undefined> {
    return reconnect(record.api, `proxy "${record.proxy}" is no longer disabled by this fault`, ctx);
}

export const driver: FaultDriver<DependencyDownSpec, DependencyDownRecord, z.input<typeof DependencyDownSpec>> = {
    kind: "docker:dependency-down",
    target: "docker",
    schema: DependencyDownSpec,

    describe: (spec) => `disable Toxiproxy proxy "${spec.proxy}" (${toxiproxyWhere(spec.toxiproxy)}): the dependency behind it is down`,

    ...proxyFaultFields,

    async prepare(spec, ctx) {
        const { api, record } = await connectSpec(spec.toxiproxy, "spec.toxiproxy");
        const r = await readProxy(api, spec.proxy);
        if (r.status === 404) throw await noSuchProxy(api, spec.proxy, "spec.proxy");
        if (r.status !== 200) unexpected(api, `reading proxy "${spec.proxy}"`, r);
        const wasEnabled = r.body.enabled === true;
        if (!wasEnabled) ctx.warn(`proxy "${spec.proxy}" was already disabled; it stays disabled, and revert will leave it so`);
        return { api: record(), proxy: spec.proxy, wasEnabled };
    },

    async apply(record) {
        if (!record.wasEnabled) return;
        const api = await reconnectFor(record);
        if (!api) throw new FaultError("spec.toxiproxy", `the Toxiproxy of proxy "${record.proxy}" stopped or restarted since it was read`);
        await setEnabled(api, record.proxy, false);
    },

    async revert(record, ctx): Promise<RevertOutcome> {
        // Only undo what this fault did: a proxy someone else had disabled stays disabled.
        if (!record.wasEnabled) return "already-reverted";
        const api = await reconnectFor(record, ctx);
        if (!api) return "target-gone";
        let r;
        try {
            r = await readProxy(api, record.proxy);
        } catch (err) {
            if (!goneByUrl(err, record.api)) throw err;
            ctx.warn(`${err.message}: no Toxiproxy runs there any more, so nothing is disabled`);
            return "target-gone";
        }
        if (r.status === 404) {
            ctx.warn(`proxy "${record.proxy}" no longer exists on the Toxiproxy of ${api.where}; nothing to re-enable`);
            return "target-gone";
        }
        if (r.status !== 200) unexpected(api, `reading proxy "${record.proxy}"`, r);
        if (r.body.enabled === true) return "already-reverted";
        await setEnabled(api, record.proxy, true);
        return "reverted";
    },

    async observe(record): Promise<Observation> {
        const what = `proxy "${record.proxy}"`;
        const api = await reconnectFor(record);
        if (!api) return { active: false, detail: `${what}: the Toxiproxy is gone` };
        let r;
        try {
            r = await readProxy(api, record.proxy);
        } catch (err) {
            if (goneByUrl(err, record.api)) return { active: false, detail: `${what}: no Toxiproxy at ${record.api.hostUrl}` };
            throw err;
        }
        if (r.status === 404) return { active: false, detail: `${what} no longer exists` };
        if (r.status !== 200) unexpected(api, `reading ${what}`, r);
        return r.body.enabled === false ? { active: true, detail: `${what} is disabled` } : { active: false, detail: `${what} is enabled` };
    },
};

/**
 * The dependency is down: its Toxiproxy proxy is disabled, so clients' connections are refused and open ones cut.
 *
 * `pulumi up` disables the proxy and records whether it was enabled; `pulumi destroy` re-enables it, but only if
 * this fault disabled it (a proxy that was already disabled stays so). After `ttl`, a reaper container in the
 * Toxiproxy container's network namespace re-enables it on its own.
 *
 * ```ts
 * new DependencyDown("db-down", { toxiproxy: { container: "demo-toxiproxy" }, proxy: "postgres", ttl: "2m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "dependency-outage",
    component: "DependencyDown",
    up: "disables a Toxiproxy proxy: the dependency is down",
    revert: "re-enables it if faultline disabled it",
    docs: "[toxiproxy](docs/toxiproxy.md)",
    module: __filename,
    driver,
    fields: (spec) => ({ proxy: spec.proxy }),
});
