import { existsSync, readFileSync } from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";

/**
 * The few Kubernetes API calls the lease, the in-cluster reaper and `recover` make, over plain HTTPS. Not a client
 * library: it is bundled into the reaper's pod (no dependency but Node.js), and it reads the same credentials
 * kubectl and the Pulumi provider read (the pod's service account, else $KUBECONFIG or ~/.kube/config).
 */
export interface KubeApi {
    /** The API server's URL. */
    readonly server: string;
    /**
     * One request; the parsed JSON body, or undefined when the API says 404 (the object is gone). Any other error
     * status throws with the API's own message.
     */
    request<T = any>(method: string, apiPath: string, body?: unknown, contentType?: string): Promise<T | undefined>;
}

interface Credentials {
    server: string;
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    token?: string;
    insecure?: boolean;
}

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** A path or inline base64 field of a kubeconfig entry, resolved relative to the kubeconfig's folder. */
function material(entry: Record<string, any>, field: string, dir: string): Buffer | undefined {
    if (entry[`${field}-data`]) return Buffer.from(entry[`${field}-data`], "base64");
    if (entry[field]) return readFileSync(path.resolve(dir, entry[field]));
    return undefined;
}

function fromKubeconfig(file: string): Credentials {
    // Loaded here, not at the top: the in-cluster reaper's bundle never reads a kubeconfig.
    const { parse } = require("yaml") as typeof import("yaml");
    const cfg = parse(readFileSync(file, "utf8"));
    const ctxName = cfg["current-context"];
    const ctx = (cfg.contexts ?? []).find((c: any) => c.name === ctxName)?.context;
    if (!ctx) throw new Error(`${file}: current-context "${ctxName}" is not among its contexts; run kubectl config use-context`);
    const cluster = (cfg.clusters ?? []).find((c: any) => c.name === ctx.cluster)?.cluster;
    const user = (cfg.users ?? []).find((u: any) => u.name === ctx.user)?.user ?? {};
    if (!cluster?.server) throw new Error(`${file}: cluster "${ctx.cluster}" has no server`);
    const dir = path.dirname(file);
    return {
        server: cluster.server,
        ca: material(cluster, "certificate-authority", dir),
        cert: material(user, "client-certificate", dir),
        key: material(user, "client-key", dir),
        token: user.token ?? (user.tokenFile ? readFileSync(path.resolve(dir, user.tokenFile), "utf8").trim() : undefined),
        insecure: cluster["insecure-skip-tls-verify"] === true,
    };
}

/** Where the credentials come from: the pod's service account in a cluster, else the kubeconfig kubectl uses. */
export function credentials(env: NodeJS.ProcessEnv = process.env): Credentials {
    if (env.KUBERNETES_SERVICE_HOST && existsSync(`${SA_DIR}/token`)) {
        return {
            server: `https://${env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`,
            ca: readFileSync(`${SA_DIR}/ca.crt`),
            token: readFileSync(`${SA_DIR}/token`, "utf8").trim(),
        };
    }
    const file = (env.KUBECONFIG ?? "").split(path.delimiter).find((f) => f && existsSync(f)) ?? path.join(os.homedir(), ".kube", "config");
    if (!existsSync(file)) throw new Error("no Kubernetes credentials: set KUBECONFIG (npm run cluster:up writes .faultline/cluster/kubeconfig)");
    return fromKubeconfig(file);
}

/** A {@link KubeApi} over the credentials of {@link credentials}. Requests time out after `timeoutMs`. */
export function kubeApi(env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): KubeApi {
    const c = credentials(env);
    const agent = new https.Agent({ ca: c.ca, cert: c.cert, key: c.key, rejectUnauthorized: !c.insecure, keepAlive: true });
    const request = <T>(method: string, apiPath: string, body?: unknown, contentType = "application/json") =>
        new Promise<T | undefined>((resolve, reject) => {
            const payload = body === undefined ? undefined : JSON.stringify(body);
            const req = https.request(
                new URL(apiPath, c.server),
                {
                    method,
                    agent,
                    timeout: timeoutMs,
                    headers: {
                        accept: "application/json",
                        ...(c.token ? { authorization: `Bearer ${c.token}` } : {}),
                        ...(payload ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) } : {}),
                    },
                },
                (res) => {
                    let text = "";
                    res.setEncoding("utf8").on("data", (d) => (text += d));
                    res.on("end", () => {
                        if (res.statusCode === 404) return resolve(undefined);
                        const json = text ? safeJson(text) : undefined;
                        if ((res.statusCode ?? 500) >= 300) {
                            return reject(new Error(`${method} ${apiPath}: ${res.statusCode} ${json?.message ?? text.slice(0, 300)}`));
                        }
                        resolve(json as T);
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${apiPath}: no answer from ${c.server} in ${timeoutMs} ms`)));
            req.on("error", reject);
            req.end(payload);
        });
    return { server: c.server, request };
}

function safeJson(text: string): any {
    try {
        return JSON.parse(text);
    } catch {
        return { message: text.slice(0, 300) };
    }
}

/** The API path of an object: core kinds under /api/v1, others under /apis/<group>/<version>. */
export function objectPath(ref: { apiVersion: string; plural: string; namespace?: string; name?: string }): string {
    const base = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = ref.namespace ? `/namespaces/${ref.namespace}` : "";
    return `${base}${ns}/${ref.plural}${ref.name ? `/${ref.name}` : ""}`;
}
