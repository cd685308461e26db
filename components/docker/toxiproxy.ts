// How faultline reaches a Toxiproxy HTTP API, from the host (the provider, tests, benchmarks) and from a reaper that
// lives in the Toxiproxy container's network namespace. Shared by the Toxiproxy drivers; imports nothing from
// @pulumi/pulumi because it is bundled into reapers.
import * as http from "node:http";
import * as os from "node:os";
import { z } from "zod";
import { dockerClient, isNotFound } from "../core/docker";
import type { DriverContext, PlannedTarget } from "../core/driver";
import { FaultError, issueOf, type SpecIssue } from "../core/errors";

/** The port Toxiproxy's API listens on unless told otherwise (`toxiproxy -port`). */
export const TOXIPROXY_API_PORT = 8474;

/** True for http URLs on a loopback host: faultline only ever talks to a Toxiproxy on this machine. */
function isLoopbackUrl(text: string): boolean {
    let u: URL;
    try {
        u = new URL(text);
    } catch {
        return false;
    }
    const host = u.hostname.replace(/^\[|\]$/g, "");
    return u.protocol === "http:" && (host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host));
}

/**
 * Where the Toxiproxy is: a container (`container`, with `apiPort` if its API is not on 8474) or the URL of an
 * API on a loopback address (`url`, e.g. a toxiproxy-server process on this machine). Exactly one of the two.
 */
export const ToxiproxyRef = z
    .object(
        {
        /** Name or ID of the Toxiproxy container. Its API is reached through Docker; the reaper joins its network. */
        container: z.string().min(1, "must not be empty: give the name or ID of the Toxiproxy container").optional(),
        /** Port of the API inside the container. Defaults to 8474. */
        apiPort: z.number().int("must be a whole number").min(1).max(65535, "must be a TCP port (1-65535)").optional(),
        /** URL of a Toxiproxy API on a loopback address, e.g. http://127.0.0.1:8474. */
        url: z
            .string()
            .refine(isLoopbackUrl, "must be an http URL on a loopback address, e.g. http://127.0.0.1:8474")
            .transform((u) => u.replace(/\/+$/, ""))
            .optional(),
        },
        { error: 'required: where the Toxiproxy is, { container: "<name>" } or { url: "http://127.0.0.1:8474" }' },
    )
    .strict()
    .superRefine((r, ctx) => {
        if ((r.container === undefined) === (r.url === undefined)) {
            ctx.addIssue({
                code: "custom",
                message: 'give exactly one of container (e.g. { container: "demo-toxiproxy" }) or url (e.g. { url: "http://127.0.0.1:8474" })',
            });
        }
        if (r.url !== undefined && r.apiPort !== undefined) {
            ctx.addIssue({ code: "custom", path: ["apiPort"], message: "only with container; put the port in the url instead" });
        }
    });
export type ToxiproxyRef = z.infer<typeof ToxiproxyRef>;

/** How a fault reaches the Toxiproxy API again later: both from the host and from inside its container. */
export interface ToxiproxyApiRecord {
    /** The Toxiproxy container, when the spec named one. */
    container?: {
        id: string;
        name: string;
        /** Its hostname: a process that shares its namespaces (the reaper) has the same one. */
        hostname: string;
        /** When it last started. Toxiproxy keeps toxics in memory, so a restart means the fault is gone. */
        startedAt: string;
    };
    /** The URL the host used at injection (the published loopback port, or the container's IP). */
    hostUrl: string;
    /** The URL inside the container's network namespace (http://127.0.0.1:<apiPort>), where the reaper runs. */
    namespaceUrl: string;
}

/** A reachable Toxiproxy API, or why the Toxiproxy it was in is gone. */
export type Connection = { api: ToxiproxyApi } | { gone: string };

/** A Toxiproxy API response: the HTTP status and the parsed JSON body (undefined when empty). */
export interface ApiResponse {
    status: number;
    body: any;
}

/** True for errors that mean "nothing listening there", where trying the next address is safe. */
function isUnreachable(err: unknown): boolean {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    return code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EADDRNOTAVAIL";
}

/**
 * One HTTP exchange with node:http rather than fetch: fetch's client is compiled on first use, which in a reaper
 * (a quarter of a CPU, on a busy host) took longer than the request's own timeout. The timeout is on inactivity.
 */
function httpRequest(url: string, method: string, body: string | undefined, timeoutMs: number): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            url,
            { method, headers: body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    try {
                        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
                    } catch {
                        resolve({ status: res.statusCode ?? 0, body: text });
                    }
                });
                res.on("error", reject);
            },
        );
        req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
        req.on("error", reject);
        req.end(body);
    });
}

/** No address of a Toxiproxy API accepted a connection: nothing listens there. */
export class ToxiproxyUnreachable extends Error {
    override name = "ToxiproxyUnreachable";
}

/**
 * A Toxiproxy API behind one or more addresses that all lead to the same server. Requests go to the first address
 * that accepts a connection; a refused connection was never processed, so trying the next one is safe.
 */
export class ToxiproxyApi {
    private chosen: string | undefined;

    constructor(
        private readonly candidates: string[],
        /** For messages: where this Toxiproxy is (`container "x"` or the URL). */
        readonly where: string,
        private readonly timeoutMs = 15_000,
    ) {}

    /** The base URL that answered last (the first candidate before any request). */
    get url(): string {
        return this.chosen ?? this.candidates[0] ?? "";
    }

    /** Sends one request; throws a message naming the Toxiproxy when no address accepts it. */
    async request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
        const order = this.chosen ? [this.chosen, ...this.candidates.filter((c) => c !== this.chosen)] : this.candidates;
        let lastErr: unknown;
        for (const base of order) {
            try {
                const res = await httpRequest(base + path, method, body === undefined ? undefined : JSON.stringify(body), this.timeoutMs);
                this.chosen = base;
                return res;
            } catch (err) {
                lastErr = err;
                if (!isUnreachable(err)) break;
            }
        }
        const cause = (lastErr as NodeJS.ErrnoException | undefined)?.code ?? String(lastErr);
        const message = `the Toxiproxy API of ${this.where} did not answer at ${order.join(", ")} (${cause})`;
        throw isUnreachable(lastErr) ? new ToxiproxyUnreachable(message) : new Error(message);
    }

    /** Names of the proxies this Toxiproxy has, for messages that say what exists. */
    async proxyNames(): Promise<string[]> {
        const r = await this.request("GET", "/proxies");
        return r.status === 200 ? Object.keys(r.body ?? {}).sort() : [];
    }
}

/** The API addresses of a running container as seen from the host: published loopback ports, then its IPs. */
function hostCandidates(info: any, apiPort: number): string[] {
    const out: string[] = [];
    for (const b of info.NetworkSettings?.Ports?.[`${apiPort}/tcp`] ?? []) {
        const ip = b.HostIp === "" || b.HostIp === "0.0.0.0" ? "127.0.0.1" : b.HostIp;
        if (/^127\./.test(ip)) out.push(`http://${ip}:${b.HostPort}`);
    }
    for (const n of Object.values<any>(info.NetworkSettings?.Networks ?? {})) {
        if (n.IPAddress) out.push(`http://${n.IPAddress}:${apiPort}`);
    }
    // A Toxiproxy on the host's network is on the host's loopback.
    if (info.HostConfig?.NetworkMode === "host") out.push(`http://127.0.0.1:${apiPort}`);
    return out;
}

async function inspect(ref: string): Promise<any | undefined> {
    try {
        return await dockerClient().getContainer(ref).inspect();
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

/** A Toxiproxy reached from a spec: the API, and the record of how to reach it again (call after requests). */
export interface SpecConnection {
    api: ToxiproxyApi;
    record(): ToxiproxyApiRecord;
}

/**
 * Connects to the Toxiproxy a spec names, for inject and preview. Throws a FaultError naming `field` (the spec's
 * `toxiproxy` field) when the container does not exist or is not running.
 */
export async function connectSpec(ref: ToxiproxyRef, field: string): Promise<SpecConnection> {
    if (ref.url !== undefined) {
        const url = ref.url;
        return { api: new ToxiproxyApi([url], url), record: () => ({ hostUrl: url, namespaceUrl: url }) };
    }
    const apiPort = ref.apiPort ?? TOXIPROXY_API_PORT;
    const info = await inspect(ref.container!);
    if (!info) {
        throw new FaultError(`${field}.container`, `no such container "${ref.container}"; list containers with \`docker ps -a\``);
    }
    const name = String(info.Name).replace(/^\//, "");
    if (!info.State?.Running) {
        throw new FaultError(`${field}.container`, `container "${name}" is not running; start it with \`docker start ${name}\``);
    }
    const candidates = hostCandidates(info, apiPort);
    if (candidates.length === 0) {
        throw new FaultError(
            `${field}.container`,
            `container "${name}" has no published port ${apiPort} on 127.0.0.1 and no IP address; attach it to a network or publish its API port`,
        );
    }
    const api = new ToxiproxyApi(candidates, `container "${name}"`);
    return {
        api,
        record: () => ({
            container: { id: info.Id, name, hostname: info.Config.Hostname, startedAt: info.State.StartedAt },
            hostUrl: api.url,
            namespaceUrl: `http://127.0.0.1:${apiPort}`,
        }),
    };
}

/**
 * Connects to the Toxiproxy a record names, for revert and observe, from wherever this code runs: inside the
 * container's network namespace (a reaper, which shares its hostname) through its loopback; on the host through
 * the addresses Docker reports now. Says the Toxiproxy is gone when its container was removed, stopped or
 * restarted since injection (Toxiproxy keeps toxics and runtime changes in memory only).
 */
export async function connectRecord(rec: ToxiproxyApiRecord): Promise<Connection> {
    if (!rec.container) return { api: new ToxiproxyApi([rec.hostUrl], rec.hostUrl) };
    const c = rec.container;
    const info = await inspect(c.id);
    if (!info) return { gone: `Toxiproxy container "${c.name}" no longer exists` };
    if (!info.State?.Running) return { gone: `Toxiproxy container "${c.name}" is not running` };
    if (info.State.StartedAt !== c.startedAt) {
        return { gone: `Toxiproxy container "${c.name}" restarted since the fault was injected, which cleared its toxics and proxy changes` };
    }
    const inNamespace = os.hostname() === c.hostname && info.HostConfig?.NetworkMode !== "host";
    const apiPort = Number(new URL(rec.namespaceUrl).port);
    const candidates = inNamespace ? [rec.namespaceUrl] : hostCandidates(info, apiPort);
    return { api: new ToxiproxyApi(candidates, `container "${c.name}"`) };
}

/** The error for a proxy that does not exist, listing those that do. */
export async function noSuchProxy(api: ToxiproxyApi, proxy: string, field: string): Promise<FaultError> {
    const names = await api.proxyNames().catch(() => []);
    return new FaultError(
        field,
        `no proxy "${proxy}" on the Toxiproxy of ${api.where}; it has: ${names.join(", ") || "none"}. ` +
            "Create the proxy first (POST /proxies, `toxiproxy-cli create`, or a ToxiproxyProxy component)",
    );
}

/** Throws a readable error for an unexpected API answer. */
export function unexpected(api: ToxiproxyApi, what: string, r: ApiResponse): never {
    throw new Error(`${what} on the Toxiproxy of ${api.where}: HTTP ${r.status} ${JSON.stringify(r.body?.error ?? r.body ?? "")}`);
}

/** Where a spec points, for messages and plans: `container "x"` or the URL. */
export function toxiproxyWhere(ref: ToxiproxyRef): string {
    return ref.container !== undefined ? `container "${ref.container}"` : ref.url!;
}

/**
 * Preview-time target check shared by the Toxiproxy faults: the Toxiproxy exists, runs and answers, and has the
 * proxy the fault names (else "no proxy", listing those it has).
 */
export async function toxiproxyTargets(ref: ToxiproxyRef, proxy: string): Promise<SpecIssue[]> {
    try {
        const { api } = await connectSpec(ref, "spec.toxiproxy");
        const r = await api.request("GET", `/proxies/${encodeURIComponent(proxy)}`);
        if (r.status === 404) throw await noSuchProxy(api, proxy, "spec.proxy");
        if (r.status !== 200) unexpected(api, `GET /proxies/${proxy}`, r);
        return [];
    } catch (err) {
        if (err instanceof FaultError) return [issueOf(err)];
        return [{ path: "spec.toxiproxy", message: `${(err as Error).message}; check that Toxiproxy is running and its API port is right` }];
    }
}

/** What a Toxiproxy fault hits, for previews and policies: the proxy, with the Toxiproxy container's labels. */
export async function toxiproxyPlan(ref: ToxiproxyRef, proxy: string): Promise<PlannedTarget[]> {
    if (ref.container === undefined) return [{ name: `${ref.url}/proxies/${proxy}`, labels: {} }];
    const info = await inspect(ref.container);
    return info ? [{ name: `${String(info.Name).replace(/^\//, "")}/proxies/${proxy}`, labels: info.Config.Labels ?? {} }] : [];
}

/**
 * The reaper's network mode: the Toxiproxy container's namespace, where the API is on loopback; or the host's
 * network for a Toxiproxy given by a loopback URL.
 */
export function toxiproxyReaperNetworkMode(api: ToxiproxyApiRecord): string {
    return api.container ? `container:${api.container.id}` : "host";
}

/**
 * The driver fields of every fault on one Toxiproxy proxy (a spec with `toxiproxy` and `proxy`, a record with `api`):
 * its preview check and plan are the proxy's, and its reaper runs where the Toxiproxy's API is on loopback.
 */
export const proxyFaultFields = {
    checkTargets: (spec: { toxiproxy: ToxiproxyRef; proxy: string }) => toxiproxyTargets(spec.toxiproxy, spec.proxy),
    plan: (spec: { toxiproxy: ToxiproxyRef; proxy: string }) => toxiproxyPlan(spec.toxiproxy, spec.proxy),
    reaperNetworkMode: (record: { api: ToxiproxyApiRecord }) => toxiproxyReaperNetworkMode(record.api),
};

/**
 * Connects for a revert or observe; undefined when the Toxiproxy is gone, with a warning that ends with `then`
 * (what that means for the fault, e.g. "the fault went with it").
 */
export async function reconnect(api: ToxiproxyApiRecord, then: string, ctx?: DriverContext): Promise<ToxiproxyApi | undefined> {
    const c = await connectRecord(api);
    if ("gone" in c) {
        ctx?.warn(`${c.gone}; ${then}`);
        return undefined;
    }
    return c.api;
}

/**
 * A refused connection to a Toxiproxy given by URL means no Toxiproxy runs there any more, and its in-memory state
 * (toxics, disabled proxies) went with it. (A container's Toxiproxy is checked through Docker instead; see
 * connectRecord.)
 */
export function goneByUrl(err: unknown, api: ToxiproxyApiRecord): err is ToxiproxyUnreachable {
    return err instanceof ToxiproxyUnreachable && api.container === undefined;
}
