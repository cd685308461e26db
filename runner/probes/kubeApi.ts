// A small read-only client of the Kubernetes API for probes. kubectl resolves the kubeconfig once (KUBECONFIG
// merging, contexts, YAML, certificate files: `kubectl config view --raw --minify --flatten`); after that every
// sample is one HTTPS GET on a kept-alive connection (a few ms), instead of a kubectl process per sample (about
// 100 ms of CPU each, at 20 Hz). @kubernetes/client-node was not used: 2.x needs Node >= 22 (undici 8) and 1.x is
// ESM-only with 16 dependencies, for the two GETs probes make.
import { execFile } from "node:child_process";
import * as https from "node:https";
import * as fs from "node:fs";

/** Where and how to reach the API server, from the selected kubeconfig context. */
export interface KubeTarget {
    /** A kubeconfig file; defaults to kubectl's own choice ($KUBECONFIG, then ~/.kube/config). */
    kubeconfig?: string;
    /** A context of that kubeconfig; defaults to its current context. */
    context?: string;
}

/** An API error with its HTTP status and the server's message (e.g. 404 `deployments.apps "api" not found`). */
export class KubeApiError extends Error {
    override name = "KubeApiError";
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

/** A kubeconfig user's exec credential plugin (client.authentication.k8s.io). */
interface ExecConfig {
    apiVersion: string;
    command: string;
    args?: string[];
    env?: Array<{ name: string; value: string }>;
}

/** The parts of `kubectl config view --minify --flatten -o json` a client needs. */
interface FlatConfig {
    clusters?: Array<{ cluster: { server: string; "certificate-authority-data"?: string; "insecure-skip-tls-verify"?: boolean; "tls-server-name"?: string } }>;
    users?: Array<{
        user: {
            token?: string;
            tokenFile?: string;
            "client-certificate-data"?: string;
            "client-key-data"?: string;
            username?: string;
            password?: string;
            exec?: ExecConfig;
        };
    }>;
}

/** Credentials a request carries. */
interface Credentials {
    headers: Record<string, string>;
    cert?: Buffer;
    key?: Buffer;
    /** When these expire (exec plugins); undefined means never. */
    expiresAt?: number;
}

/** Runs a program and returns its stdout; rejects with its stderr's first line. Bounded to 20 s. */
function run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(command, args, { timeout: 20_000, maxBuffer: 16 * 1024 * 1024, env: env ?? process.env }, (err, stdout, stderr) => {
            if (!err) return resolve(stdout);
            const why = stderr.trim().split("\n")[0] || err.message;
            reject(new Error((err as NodeJS.ErrnoException).code === "ENOENT" ? `${command} not found on PATH` : why));
        });
    });
}

const b64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, "base64"));

/** Runs an exec credential plugin (how EKS, GKE and AKS kubeconfigs get tokens) and reads its ExecCredential. */
async function execCredentials(exec: ExecConfig): Promise<Credentials> {
    const env = { ...process.env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) };
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: exec.apiVersion, kind: "ExecCredential", spec: { interactive: false } });
    const out = JSON.parse(await run(exec.command, exec.args ?? [], env)) as {
        status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string };
    };
    const s = out.status ?? {};
    return {
        headers: s.token ? { authorization: `Bearer ${s.token}` } : {},
        ...(s.clientCertificateData ? { cert: Buffer.from(s.clientCertificateData) } : {}),
        ...(s.clientKeyData ? { key: Buffer.from(s.clientKeyData) } : {}),
        ...(s.expirationTimestamp ? { expiresAt: Date.parse(s.expirationTimestamp) - 30_000 } : {}),
    };
}

/** A read-only connection to one cluster. */
export class KubeClient {
    private credentials?: Credentials;
    private readonly agent: https.Agent;

    private constructor(
        private readonly server: URL,
        private readonly user: NonNullable<FlatConfig["users"]>[number]["user"],
        tls: { ca?: Buffer; insecure: boolean; servername?: string },
    ) {
        this.agent = new https.Agent({
            keepAlive: true,
            maxSockets: 4,
            ...(tls.ca ? { ca: tls.ca } : {}),
            rejectUnauthorized: !tls.insecure,
            ...(tls.servername ? { servername: tls.servername } : {}),
            ...(user["client-certificate-data"] ? { cert: b64(user["client-certificate-data"]) } : {}),
            ...(user["client-key-data"] ? { key: b64(user["client-key-data"]) } : {}),
        });
    }

    /** Resolves the kubeconfig's context with kubectl and returns a client for it. Throws with kubectl's reason. */
    static async connect(target: KubeTarget): Promise<KubeClient> {
        if (target.kubeconfig && !fs.existsSync(target.kubeconfig)) throw new Error(`no file at ${target.kubeconfig}`);
        const args = ["config", "view", "--raw", "--minify", "--flatten", "-o", "json"];
        if (target.kubeconfig) args.push("--kubeconfig", target.kubeconfig);
        if (target.context) args.push("--context", target.context);
        const config = JSON.parse(await run("kubectl", args)) as FlatConfig;
        const cluster = config.clusters?.[0]?.cluster;
        if (!cluster?.server) throw new Error("the kubeconfig has no cluster for its current context; set context or KUBECONFIG");
        const server = new URL(cluster.server);
        if (server.protocol !== "https:") throw new Error(`the kubeconfig's server ${cluster.server} is not https://`);
        return new KubeClient(server, config.users?.[0]?.user ?? {}, {
            ...(cluster["certificate-authority-data"] ? { ca: b64(cluster["certificate-authority-data"]) } : {}),
            insecure: cluster["insecure-skip-tls-verify"] === true,
            ...(cluster["tls-server-name"] ? { servername: cluster["tls-server-name"] } : {}),
        });
    }

    /** The request credentials: a token (inline, from a file, or from an exec plugin, renewed when it expires). */
    private async auth(): Promise<Credentials> {
        if (this.credentials && (this.credentials.expiresAt === undefined || this.credentials.expiresAt > Date.now())) return this.credentials;
        const u = this.user;
        if (u.exec) this.credentials = await execCredentials(u.exec);
        else if (u.token) this.credentials = { headers: { authorization: `Bearer ${u.token}` } };
        // A token file can be rotated under us (projected service-account tokens): read it at most once a minute.
        else if (u.tokenFile) this.credentials = { headers: { authorization: `Bearer ${fs.readFileSync(u.tokenFile, "utf8").trim()}` }, expiresAt: Date.now() + 60_000 };
        else if (u.username !== undefined) this.credentials = { headers: { authorization: `Basic ${Buffer.from(`${u.username}:${u.password ?? ""}`).toString("base64")}` } };
        else this.credentials = { headers: {} };
        return this.credentials;
    }

    /** GETs an API path (e.g. /api/v1/namespaces/x/pods) and parses the JSON; throws KubeApiError on a non-2xx. */
    async get<T>(path: string, signal?: AbortSignal): Promise<T> {
        const creds = await this.auth();
        return new Promise<T>((resolve, reject) => {
            const req = https.request(
                new URL(path, this.server),
                {
                    agent: this.agent,
                    headers: { accept: "application/json", ...creds.headers },
                    ...(creds.cert ? { cert: creds.cert } : {}),
                    ...(creds.key ? { key: creds.key } : {}),
                    ...(signal ? { signal } : {}),
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("error", reject);
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        const status = res.statusCode ?? 0;
                        if (status >= 200 && status < 300) {
                            try {
                                return resolve(JSON.parse(text) as T);
                            } catch (err) {
                                return reject(err);
                            }
                        }
                        let message = text.trim().slice(0, 200) || `HTTP ${status}`;
                        try {
                            message = (JSON.parse(text) as { message?: string }).message ?? message;
                        } catch {
                            // not a Status object: keep the raw text
                        }
                        reject(new KubeApiError(status, message));
                    });
                },
            );
            req.on("error", reject);
            req.end();
        });
    }

    /** Closes kept-alive connections. */
    close(): void {
        this.agent.destroy();
    }
}
