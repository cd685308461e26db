/**
 * The in-cluster time-to-live reaper's program (bundled into its ConfigMap by Reaper.ts, run by Node.js in the
 * tools image). It polls the leases of its stack every FAULTLINE_INTERVAL_MS (default 1000) and reverts each one
 * whose deadline has passed with revertLease, the same function `pulumi destroy` runs. One JSON line per revert,
 * with how late it was, so `kubectl logs` shows what happened and when.
 */
import { kubeApi } from "../kubeApi";
import { listLeases, revertLease } from "../lease";

const stack = process.env.FAULTLINE_STACK;
const intervalMs = Number(process.env.FAULTLINE_INTERVAL_MS ?? "1000");

function log(event: Record<string, unknown>): void {
    console.log(JSON.stringify({ at: new Date().toISOString(), ...event }));
}

async function tick(api: ReturnType<typeof kubeApi>): Promise<void> {
    const now = Date.now();
    for (const lease of await listLeases(api, stack)) {
        const { owner, expiresAt } = lease.record;
        if (expiresAt > now) continue;
        try {
            const outcome = await revertLease(api, lease.namespace, lease.record);
            log({ event: "reverted", stack: owner.stack, fault: owner.fault, kind: owner.kind, namespace: lease.namespace, outcome, lateMs: Date.now() - expiresAt });
        } catch (err) {
            // Left in place: the next tick tries again.
            log({ event: "revert-failed", fault: owner.fault, namespace: lease.namespace, error: String(err) });
        }
    }
}

async function main(): Promise<void> {
    if (!stack) throw new Error("FAULTLINE_STACK is not set: the reaper reverts the faults of one stack");
    const api = kubeApi();
    log({ event: "started", stack, intervalMs });
    for (;;) {
        await tick(api).catch((err) => log({ event: "list-failed", error: String(err) }));
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}

void main().catch((err) => {
    console.error(String(err));
    process.exit(2);
});
