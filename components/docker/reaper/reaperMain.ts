// The program inside a Docker reaper container. It is bundled (esbuild) together with every driver, copied into the
// container, and run by Node.js there. It guards every fault armed under its name (a labelled volume each, see
// reaperStore.ts): at a fault's deadline it reverts it with the same driver `pulumi destroy` uses and removes the
// volume. A revert that throws is retried with backoff, a bounded number of times; the volume stays until it
// succeeds. Deadlines are absolute, so a restarted engine or host (Docker's restart policy starts the reaper again)
// does not reset the clock. With nothing left to guard, the reaper retires: it removes its own container.
import type { ArmedFault } from "../../core/FaultResource";
import { dockerClient } from "../../core/docker";
import type { DriverContext } from "../../core/driver";
import { Labels, STANDBY_KIND } from "../../core/labels";
import { driverFor } from "../../registry";
import { ArmedLabels, armedIn, removeArmed, retire, startStoppedSiblings } from "./reaperStore";

/**
 * How often the engine is asked for armed faults. Below the shortest time-to-live (1 s), so a fault armed between two
 * looks is seen before its deadline; from then on the loop sleeps until that deadline, not a fixed tick, so a revert
 * is late only by the engine's own delays. (A fixed 100 ms tick cost an idle reaper 2 % of a core, and the engine 1 %.)
 */
const POLL_MS = 500;

/** How often the reaper looks for sibling reapers the engine left exited (see startStoppedSiblings). */
const SIBLING_EVERY_MS = 1_000;

/**
 * Reverts tried per fault before the reaper gives up on it (2.5 s to 60 s apart: about 4 minutes in all). A revert
 * that failed that often fails for a reason no retry fixes; the engine restarting does not count, since it restarts
 * the reaper too, with fresh counts.
 */
const MAX_ATTEMPTS = 8;

const log = (m: string) => console.log(`${new Date().toISOString()} ${m}`);

/**
 * This container's id, found by the token only it carries as a label. Not the hostname, nor the hostname file
 * Docker mounts: in another container's network namespace (a Toxiproxy's) both are that container's, and retiring
 * "itself" would remove the Toxiproxy.
 */
async function findSelf(): Promise<{ id: string; project: string; stack: string }> {
    const token = process.env.FAULTLINE_REAPER_TOKEN ?? "";
    const filters = JSON.stringify({ label: [`${ArmedLabels.token}=${token}`] });
    const [self, ...others] = token ? await dockerClient().listContainers({ all: true, filters }) : [];
    if (!self || others.length > 0) throw new Error(`cannot find this reaper's own container by its token "${token}"`);
    return { id: self.Id, project: self.Labels[Labels.project] ?? "", stack: self.Labels[Labels.stack] ?? "" };
}

async function main(): Promise<void> {
    const me = await findSelf();
    const self = me.id;
    const name = process.env.FAULTLINE_REAPER_NAME ?? "";
    let siblingsAt = 0;
    const seen = new Set<string>();
    const inFlight = new Set<string>();
    const retryAt = new Map<string, { at: number; delayMs: number; attempt: number }>();

    const revert = async (volume: string, fault: ArmedFault) => {
        const ctx: DriverContext = { owner: fault.owner, warn: (m) => log(`warning: ${m}`), info: log };
        try {
            if (fault.kind === STANDBY_KIND) log(`standby of experiment "${fault.owner.experiment}" ended`);
            else {
                const outcome = await driverFor(fault.kind).revert(fault.record, ctx);
                log(`time-to-live reached: ${fault.kind} "${fault.owner.fault}" of stack ${fault.owner.stack}: ${outcome}`);
            }
            await removeArmed(volume);
            retryAt.delete(volume);
        } catch (err) {
            const prev = retryAt.get(volume);
            const attempt = (prev?.attempt ?? 0) + 1;
            if (attempt >= MAX_ATTEMPTS) {
                // Never the same failing call forever: the record stays armed, for `recover` to report and retry.
                retryAt.set(volume, { at: Number.POSITIVE_INFINITY, delayMs: 0, attempt });
                log(`revert of "${fault.owner.fault}" failed ${attempt} times, giving up: ${String(err)}; the fault may still be in: run \`faultline recover\` once the cause is fixed`);
                return;
            }
            const delayMs = Math.min(60_000, (prev?.delayMs ?? 1_250) * 2);
            retryAt.set(volume, { at: Date.now() + delayMs, delayMs, attempt });
            log(`revert of "${fault.owner.fault}" failed (attempt ${attempt} of ${MAX_ATTEMPTS}), retrying in ${delayMs / 1000} s: ${String(err)}`);
        }
    };

    for (;;) {
        const armed = await armedIn(name);
        for (const { volume, fault } of armed) {
            if (!seen.has(volume)) {
                seen.add(volume);
                const until = new Date(fault.expiresAt).toISOString();
                if (fault.kind === STANDBY_KIND) log(`standing by for experiment "${fault.owner.experiment}" until ${until}`);
                else log(`armed: ${fault.kind} "${fault.owner.fault}" of stack ${fault.owner.stack}; reverting at ${until}`);
            }
            if (fault.expiresAt > Date.now() || inFlight.has(volume) || (retryAt.get(volume)?.at ?? 0) > Date.now()) continue;
            inFlight.add(volume);
            void revert(volume, fault).finally(() => inFlight.delete(volume));
        }
        // Disarmed faults (destroy) are forgotten too, so the set only holds what is armed.
        for (const v of seen) if (!armed.some((a) => a.volume === v)) seen.delete(v);
        if (armed.length === 0 && inFlight.size === 0 && (await retire(self, name))) return;
        if (Date.now() >= siblingsAt) {
            siblingsAt = Date.now() + SIBLING_EVERY_MS;
            for (const s of await startStoppedSiblings(me.project, me.stack, self).catch(() => [])) log(`started reaper ${s} again: the engine left it exited with faults armed`);
        }
        const due = armed.filter((a) => !inFlight.has(a.volume)).map((a) => Math.max(a.fault.expiresAt, retryAt.get(a.volume)?.at ?? 0));
        // The next look comes at the earliest deadline or retry, or after POLL_MS; it lists afresh, so a fault that
        // destroy disarmed meanwhile is not reverted twice.
        await new Promise((r) => setTimeout(r, Math.max(0, Math.min(Date.now() + POLL_MS, ...due) - Date.now())));
    }
}

main().catch((err: unknown) => {
    // Docker's restart policy starts the reaper again; the armed faults are still recorded on the engine.
    log(`reaper failed, Docker will restart it: ${String(err)}`);
    process.exit(1);
});
