import { z } from "zod";
import { duration, Ratio } from "../../../spec/fields";
import { formatDuration } from "../../../spec/units";
import { defineFault } from "../../core/defineFault";
import { dockerClient, isNotFound } from "../../core/docker";
import type { FaultDriver, Observation, RevertOutcome } from "../../core/driver";
import { FaultError } from "../../core/errors";
import { Labels, ownerLabels, type FaultOwner } from "../../core/labels";
import { helperName, removeContainer, runInNetns, TARGET_LABEL, toolsImage } from "../helper";
import { countRules, deleteRules, revertRules, ruleComment } from "../netfilter";
import { injectAll, observeAll, selectTargets, type NetnsTarget } from "../netns";
import { ContainerSelector, describeSelector, planContainers } from "../selector";
import { selectorTargets } from "../targets";

/**
 * The port the fault's proxy listens on inside the target's network namespace. Incoming connections to the
 * target's port are redirected to it; the proxy reaches the target's own server on 127.0.0.1, which the redirect
 * (PREROUTING: traffic from outside only) does not catch.
 */
const PROXY_PORT = 47_474;

/** One route: which requests it matches and what happens to the share of them it hits. */
const Route = z
    .object({
        /** Path prefix the route matches, e.g. "/api/orders". Defaults to "/" (every request). */
        path: z.string().startsWith("/", 'must start with "/", e.g. "/api"').default("/"),
        /** HTTP method the route matches, e.g. "POST". Defaults to every method. */
        method: z
            .string()
            .regex(/^[A-Z]+$/, 'an HTTP method in capitals, e.g. "GET" or "POST"')
            .optional(),
        /** Status to answer instead of the target, e.g. 503. Without it the request goes through (after `delay`). */
        status: z.number({ error: "an HTTP status such as 503" }).int("a whole HTTP status").min(200, "at least 200").max(599, "at most 599").optional(),
        /** Delay before the answer (or before forwarding), e.g. "2s". Defaults to none. */
        delay: duration({ what: "a delay" }).optional(),
        /** Share of the matching requests the route hits: 0.1 or "10%". Defaults to 1 (every one). */
        share: Ratio.default(1),
    })
    .strict()
    .refine((r) => r.status !== undefined || r.delay !== undefined, "give a status to answer, a delay, or both");

/** Spec of an HTTP fault: a proxy in front of the target's HTTP port that answers chosen statuses or adds delays. */
export const HttpFaultSpec = z
    .object({
        /** Which containers' HTTP server to put the proxy in front of, and how many of them (blast radius). */
        target: ContainerSelector,
        /** The container port the target's HTTP server listens on (on every address, or on 127.0.0.1 and the container's). */
        port: z
            .number({ error: "required: the container port of the target's HTTP server, e.g. 8080" })
            .int("a whole port number")
            .min(1, "a port from 1 to 65535")
            .max(65535, "a port from 1 to 65535")
            .refine((p) => p !== PROXY_PORT, `port ${PROXY_PORT} is the fault's own proxy port`),
        /** The routes, first match wins; a request no route matches goes through untouched. At least one. */
        routes: z.array(Route).min(1, 'give at least one route, e.g. [{ path: "/", status: 503, share: 0.5 }]'),
    })
    .strict();
export type HttpFaultSpec = z.infer<typeof HttpFaultSpec>;

/** One target: the container and the proxy helper in its network namespace. */
interface HttpFaultTarget extends NetnsTarget {
    helperName: string;
}

/** The revert record: the iptables comment of the redirect, and the proxies to remove. */
export interface HttpFaultRecord {
    owner: FaultOwner;
    comment: string;
    port: number;
    targets: HttpFaultTarget[];
    /** The proxy's configuration, as its script reads it from FAULTLINE_HTTP_FAULT. */
    config: string;
}

/**
 * The proxy, run by Node.js in the tools image. After `until` (the fault's deadline) it only forwards: if the
 * reaper were gone, the redirect left behind would still reach the target, unharmed.
 */
const PROXY_SCRIPT = `const http = require("http");
const c = JSON.parse(process.env.FAULTLINE_HTTP_FAULT);
const hit = (q) => Date.now() < c.until && c.routes.find((r) => q.url.startsWith(r.path) && (!r.method || r.method === q.method));
http.createServer((q, s) => {
  const r = hit(q);
  const on = r && Math.random() < r.share;
  setTimeout(() => {
    if (on && r.status) { s.writeHead(r.status, { "content-type": "text/plain", "x-faultline": c.fault }); s.end("faultline http-fault: " + r.status + "\\n"); return; }
    const u = http.request({ host: "127.0.0.1", port: c.port, method: q.method, path: q.url, headers: q.headers }, (a) => { s.writeHead(a.statusCode, a.headers); a.pipe(s); });
    u.on("error", (e) => { s.writeHead(502); s.end(String(e)); });
    q.pipe(u);
  }, on && r.delay ? r.delay : 0);
}).listen(${PROXY_PORT}, () => console.log("listening"));`;

/** The redirect of incoming connections to the target's port onto the proxy, as an iptables-restore file. */
const redirectRule = (port: number, comment: string) =>
    `*nat\n-I PREROUTING 1 -p tcp --dport ${port} -m comment --comment "${comment}" -j REDIRECT --to-ports ${PROXY_PORT}\nCOMMIT`;

/** Starts the proxy in the target's network namespace and waits until it listens (10 s at most). */
async function startProxy(record: HttpFaultRecord, t: HttpFaultTarget): Promise<void> {
    await removeContainer(t.helperName);
    const c = await dockerClient().createContainer({
        name: t.helperName,
        Image: toolsImage(),
        Cmd: ["node", "-e", PROXY_SCRIPT],
        Env: [`FAULTLINE_HTTP_FAULT=${record.config}`],
        Labels: { ...ownerLabels(record.owner), [Labels.role]: "helper", [TARGET_LABEL]: t.id },
        HostConfig: { NetworkMode: `container:${t.id}`, CapDrop: ["ALL"] },
    });
    await c.start();
    for (let deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        if ((await c.logs({ stdout: true, stderr: true })).toString("utf8").includes("listening")) return;
    }
    throw new FaultError("spec.target", `the HTTP fault's proxy did not start in "${t.name}" within 10 s: ${(await c.logs({ stdout: true, stderr: true })).toString("utf8").slice(-500)}`);
}

/** True while the proxy of `t` runs. */
async function proxyRunning(t: HttpFaultTarget): Promise<boolean> {
    try {
        return (await dockerClient().getContainer(t.helperName).inspect()).State.Running;
    } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
    }
}

export const driver: FaultDriver<HttpFaultSpec, HttpFaultRecord, z.input<typeof HttpFaultSpec>> = {
    kind: "docker:http-fault",
    target: "docker",
    schema: HttpFaultSpec,

    describe: (spec) =>
        `on port ${spec.port} of ${describeSelector(spec.target)}: ` +
        spec.routes
            .map((r) => `${r.method ?? "any"} ${r.path}*: ${Math.round(r.share * 100)}% ${[r.status && `answer ${r.status}`, r.delay && `after ${formatDuration(r.delay)}`].filter(Boolean).join(" ")}`)
            .join("; "),

    checkTargets: (spec) => selectorTargets(spec.target),
    plan: (spec) => planContainers(spec.target),

    async prepare(spec, ctx) {
        const targets = (await selectTargets(spec.target, "spec.target")).map((t) => ({ ...t, helperName: helperName({ purpose: "http-fault", owner: ctx.owner, target: t }) }));
        const until = ctx.expiresAt ?? Date.now() + 24 * 3600_000;
        const config = JSON.stringify({ fault: ctx.owner.fault, port: spec.port, until, routes: spec.routes });
        return { owner: ctx.owner, comment: ruleComment(ctx.owner), port: spec.port, targets, config };
    },

    async apply(record) {
        const labels = ownerLabels(record.owner);
        const undo = (t: HttpFaultTarget) => deleteRules(t, record.comment, labels).finally(() => removeContainer(t.helperName));
        await injectAll(
            record.targets,
            async (t) => {
                await startProxy(record, t as HttpFaultTarget);
                await runInNetns(t.id, `printf '%s\\n' "$FAULTLINE_RULES" | iptables-restore --noflush`, {
                    labels,
                    env: { FAULTLINE_RULES: redirectRule(record.port, record.comment) },
                    field: "spec.port",
                    what: `redirecting port ${record.port} of "${t.name}" to the HTTP fault's proxy`,
                });
            },
            (t) => undo(t as HttpFaultTarget),
        );
    },

    // The redirect goes first, so no connection is sent to a proxy that is gone; then the proxies, also where the
    // target has stopped (revertAll skips those: their rules went with their namespace).
    async revert(record, ctx): Promise<RevertOutcome> {
        const rules = await revertRules(record, ctx);
        const removed = await Promise.all(record.targets.map((t) => removeContainer(t.helperName)));
        return removed.includes(true) && rules !== "target-gone" ? "reverted" : rules;
    },

    observe: (record): Promise<Observation> =>
        observeAll(record.targets, async (t) => (await countRules(t, record.comment, ownerLabels(record.owner))) > 0 || (await proxyRunning(t)), "the HTTP fault's proxy"),
};

/**
 * HTTP faults on a container's server: a proxy in the target's network namespace answers a share of the requests
 * of each route with a chosen status (503, 429, 500…) and/or delays them, and passes everything else through. It is
 * what Toxiproxy cannot do (it works on TCP, not HTTP: toxiproxy#404). Connections opened before the fault keep
 * going straight to the server; new ones meet the proxy.
 *
 * `pulumi up` starts the proxy, then redirects the port to it (iptables in the target's namespace); `pulumi
 * destroy`, or the reaper after `ttl`, removes the redirect, then the proxy. Past `ttl` the proxy only forwards.
 *
 * ```ts
 * new HttpFault("orders-503", { target: { name: "api" }, port: 8080, routes: [{ path: "/orders", status: 503, share: 0.3 }], ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "dependency-outage",
    component: "HttpFault",
    up: "a proxy in the target's namespace answers chosen statuses or delays, per route",
    revert: "removes the redirect, then the proxy",
    docs: "[HTTP faults](docs/http-fault.md)",
    module: __filename,
    driver,
});
