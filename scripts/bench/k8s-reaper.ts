// How late the in-cluster reaper reverts each Kubernetes fault after its deadline, when nothing else is left to do
// it (the state after kill -9 of every Pulumi process). On the local cluster (npm run cluster:up), with the reaper's
// own program (reaperBundle), RBAC (REAPER_RULES) and image: arms a lease for a throttled node, a pod-kill Job with
// its RBAC and a Chaos Mesh NetworkChaos, puts each fault in by hand, then measures, every 100 ms from outside,
// when each effect is gone relative to its lease's deadline.
//   KUBECONFIG=.faultline/cluster/kubeconfig node --import tsx scripts/bench/k8s-reaper.ts [--ttl 20] [--rounds 3]
import { spawnSync } from "node:child_process";
import { kubeApi, objectPath } from "../../components/kubernetes/kubeApi";
import { armLease, leaseRef, nodesBefore, type LeaseRecord } from "../../components/kubernetes/lease";
import { REAPER_RULES, reaperBundle, THROTTLE_TAINT_KEY } from "../../components/kubernetes/reaper/Reaper";

const arg = (name: string, def: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1] || def);
const TTL_S = process.argv.includes("--ttl") ? arg("ttl", 20) : 20;
const ROUNDS = process.argv.includes("--rounds") ? arg("rounds", 3) : 3;
const NODE = process.env.FAULTLINE_NODE_NAME ?? "faultline-node";
const NS = `flt-bench-${Math.random().toString(36).slice(2, 7)}`;
const STACK = `bench-${NS}`;

function kubectl(args: string[], input?: string): string {
    const r = spawnSync("kubectl", args, { input, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
}
const apply = (...objs: object[]) => kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objs }));

/** The reaper as Reaper.ts declares it, applied with kubectl (no Pulumi in this benchmark). */
function deployReaper(): void {
    const name = `faultline-reaper-${STACK}`;
    apply(
        { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: NS } },
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules: REAPER_RULES },
        {
            apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name }, subjects: [{ kind: "ServiceAccount", name, namespace: NS }],
        },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data: { "reaper.js": reaperBundle() } },
        {
            apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: NS },
            spec: {
                replicas: 1, selector: { matchLabels: { app: "reaper" } },
                template: {
                    metadata: { labels: { app: "reaper" } },
                    spec: {
                        serviceAccountName: name, tolerations: [{ operator: "Exists" }], securityContext: { runAsNonRoot: true, runAsUser: 65534 },
                        containers: [{
                            name: "reaper", image: process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1", command: ["node", "/reaper/reaper.js"],
                            env: [{ name: "FAULTLINE_STACK", value: STACK }], volumeMounts: [{ name: "p", mountPath: "/reaper" }],
                        }],
                        volumes: [{ name: "p", configMap: { name } }],
                    },
                },
            },
        },
    );
    kubectl(["rollout", "status", "-n", NS, `deployment/${name}`, "--timeout=120s"]);
}

const owner = (fault: string, kind: string) => ({ project: "faultline", stack: STACK, experiment: "bench", fault, kind });

async function round(api: ReturnType<typeof kubeApi>): Promise<Record<string, number>> {
    const expiresAt = Date.now() + TTL_S * 1000;
    const taint = { key: THROTTLE_TAINT_KEY, value: "hot-node", effect: "NoSchedule" };
    const records: LeaseRecord[] = [
        { owner: owner("hot-node", "kubernetes:node-throttle"), expiresAt, objects: [], nodes: await nodesBefore(api, [{ node: NODE, taint, cordon: true, labels: ["dev.faultline.throttle"], annotations: [] }]) },
        {
            owner: owner("kill-web", "kubernetes:pod-kill"), expiresAt, nodes: [],
            objects: [{ apiVersion: "v1", plural: "serviceaccounts", namespace: NS, name: "faultline-kill-web" }],
        },
        { owner: owner("web-delay", "kubernetes:network-chaos"), expiresAt, nodes: [], objects: [{ apiVersion: "chaos-mesh.org/v1alpha1", plural: "networkchaos", namespace: NS, name: "faultline-web-delay" }] },
    ];
    // Armed first, as the components do; then the faults go in.
    for (const r of records) await armLease(api, NS, r);
    await api.request("PATCH", `${objectPath({ apiVersion: "v1", plural: "nodes", name: NODE })}?fieldManager=bench&force=true`,
        { apiVersion: "v1", kind: "Node", metadata: { name: NODE, labels: { "dev.faultline.throttle": "hot-node" } }, spec: { unschedulable: true, taints: [taint] } }, "application/apply-patch+yaml");
    apply(
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "faultline-kill-web", namespace: NS } },
        { apiVersion: "chaos-mesh.org/v1alpha1", kind: "NetworkChaos", metadata: { name: "faultline-web-delay", namespace: NS }, spec: { action: "delay", mode: "one", selector: { namespaces: [NS], labelSelectors: { app: "web" } }, delay: { latency: "100ms" } } },
    );
    const gone: Record<string, () => Promise<boolean>> = {
        "hot-node": async () => {
            const n = await api.request("GET", `/api/v1/nodes/${NODE}`);
            return !n.spec.unschedulable && !(n.spec.taints ?? []).some((t: { key: string }) => t.key === THROTTLE_TAINT_KEY);
        },
        "kill-web": async () => !(await api.request("GET", `/api/v1/namespaces/${NS}/serviceaccounts/faultline-kill-web`)),
        "web-delay": async () => !(await api.request("GET", `/apis/chaos-mesh.org/v1alpha1/namespaces/${NS}/networkchaos/faultline-web-delay`)),
    };
    const late: Record<string, number> = {};
    const limit = expiresAt + 60_000;
    while (Object.keys(late).length < 3 && Date.now() < limit) {
        for (const [fault, check] of Object.entries(gone)) if (late[fault] === undefined && (await check())) late[fault] = Date.now() - expiresAt;
        await new Promise((r) => setTimeout(r, 100));
    }
    for (const r of records) if (await api.request("GET", objectPath(leaseRef(NS, r.owner.fault)))) throw new Error(`lease of ${r.owner.fault} not released`);
    return late;
}

async function main(): Promise<void> {
    const api = kubeApi();
    deployReaper();
    try {
        const rows: Record<string, number>[] = [];
        for (let i = 0; i < ROUNDS; i++) {
            const late = await round(api);
            rows.push(late);
            console.log(`round ${i + 1}: reverted after the deadline (ms) ${JSON.stringify(late)}`);
        }
        for (const fault of ["hot-node", "kill-web", "web-delay"]) {
            const v = rows.map((r) => r[fault] ?? NaN);
            console.log(`${fault.padEnd(10)} ttl ${TTL_S}s  late min ${Math.min(...v)} ms  max ${Math.max(...v)} ms  (${ROUNDS} rounds, limit 10000 ms)`);
        }
    } finally {
        spawnSync("kubectl", ["delete", "namespace", NS, "--wait=false"]);
        spawnSync("kubectl", ["delete", "clusterrole,clusterrolebinding", `faultline-reaper-${STACK}`]);
    }
}

void main().catch((err) => {
    console.error(String(err));
    process.exit(2);
});
