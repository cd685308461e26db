import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** Where scripts/setup-k8s.sh caches kube-apiserver and kubectl. */
export function kubeBin(): string {
    const cache = process.env.FAULTLINE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "faultline");
    return path.join(cache, `k8s-v${process.env.FAULTLINE_K8S_VERSION ?? "1.34.4"}`, "bin");
}

/** Why a real API server cannot start here, or undefined when it can. */
export function whyNoCluster(): string | undefined {
    if (spawnSync("etcd", ["--version"]).status !== 0) return "no etcd on PATH; run scripts/setup-k8s.sh";
    if (!existsSync(path.join(kubeBin(), "kube-apiserver"))) return `no kube-apiserver in ${kubeBin()}; run scripts/setup-k8s.sh`;
    return undefined;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
        s.on("error", reject);
    });
}

/** A throwaway API server: etcd and kube-apiserver on 127.0.0.1, token auth, RBAC; no kubelet, no controllers. */
export interface Cluster {
    kubeconfig: string;
    /** Runs kubectl against the cluster; `input` goes to stdin. Never throws: check `status`. */
    kubectl(args: string[], input?: string): { status: number; stdout: string; stderr: string };
    /** Like kubectl, but throws with stderr on a non-zero exit, and parses JSON output. */
    json(args: string[], input?: string): any;
    /** Stops both processes (by their own pids) and removes the data directory. */
    stop(): Promise<void>;
}

async function stopProcess(p: ChildProcess): Promise<void> {
    if (p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((r) => p.once("exit", () => r()));
    p.kill("SIGTERM");
    await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
    if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
}

/** Starts a cluster and waits until /readyz answers ok (bounded: 120 s). */
export async function startCluster(): Promise<Cluster> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "faultline-kube-"));
    const [client, peer, secure] = [await freePort(), await freePort(), await freePort()];
    spawnSync("openssl", ["genrsa", "-out", path.join(dir, "sa.key"), "2048"]);
    const token = `faultline-${Math.random().toString(36).slice(2)}`;
    writeFileSync(path.join(dir, "tokens.csv"), `${token},admin,admin,system:masters\n`);
    const etcd = spawn("etcd", [
        "--name", "t", "--data-dir", path.join(dir, "etcd"),
        "--listen-client-urls", `http://127.0.0.1:${client}`, "--advertise-client-urls", `http://127.0.0.1:${client}`,
        "--listen-peer-urls", `http://127.0.0.1:${peer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${peer}`,
        "--initial-cluster", `t=http://127.0.0.1:${peer}`,
    ], { stdio: "ignore" });
    const apiserver = spawn(path.join(kubeBin(), "kube-apiserver"), [
        `--etcd-servers=http://127.0.0.1:${client}`, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
        `--secure-port=${secure}`, `--cert-dir=${path.join(dir, "certs")}`,
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${path.join(dir, "sa.key")}`, `--service-account-signing-key-file=${path.join(dir, "sa.key")}`,
        `--token-auth-file=${path.join(dir, "tokens.csv")}`, "--authorization-mode=RBAC", "--service-cluster-ip-range=10.96.0.0/16",
    ], { stdio: "ignore" });
    const kubeconfig = path.join(dir, "kubeconfig");
    writeFileSync(
        kubeconfig,
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "t", cluster: { server: `https://127.0.0.1:${secure}`, "insecure-skip-tls-verify": true } }],
            users: [{ name: "admin", user: { token } }],
            contexts: [{ name: "t", context: { cluster: "t", user: "admin" } }],
            "current-context": "t",
        }),
    );
    const env = { ...process.env, KUBECONFIG: kubeconfig, PATH: `${kubeBin()}:${process.env.PATH}`, HOME: dir };
    const kubectl = (args: string[], input?: string) => {
        const r = spawnSync("kubectl", args, { env, input, encoding: "utf8", timeout: 60_000 });
        return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    };
    const cluster: Cluster = {
        kubeconfig,
        kubectl,
        json(args, input) {
            const r = kubectl([...args, "-o", "json"], input);
            if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
            return JSON.parse(r.stdout);
        },
        async stop() {
            await stopProcess(apiserver);
            await stopProcess(etcd);
            rmSync(dir, { recursive: true, force: true });
        },
    };
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
        if (kubectl(["get", "--raw", "/readyz"]).stdout.trim() === "ok") return cluster;
        if (apiserver.exitCode !== null || etcd.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 1000));
    }
    await cluster.stop();
    throw new Error("the API server did not become ready within 120 s");
}

/** The environment that points kubectl (and scripts that call it) at `cluster`. */
export function kubeEnv(cluster: Cluster): NodeJS.ProcessEnv {
    return { ...process.env, KUBECONFIG: cluster.kubeconfig, PATH: `${kubeBin()}:${process.env.PATH}` };
}
