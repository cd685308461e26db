// What the Docker reaper container and its clients (the provider's arm and disarm, `recover`) agree on: how an
// armed fault is recorded on the engine, how reapers are named, and how a reaper retires without losing a fault
// armed at the same moment. Kept free of esbuild and Pulumi: it is bundled into the reaper program.
//
// An armed fault is a labelled Docker volume that is never mounted: the engine keeps it across restarts, creating
// or removing one takes milliseconds (a file copied into a running container takes ~100 ms, an exec as much), and
// `docker volume ls --filter label=dev.faultline.stack=<stack>` shows every armed fault with its deadline.
import { createHash, randomBytes } from "node:crypto";
import type { ArmedFault } from "../../core/FaultResource";
import { dockerClient, inspectContainer, isNotFound } from "../../core/docker";
import { LABEL_PREFIX, Labels, ownerLabels, type FaultOwner } from "../../core/labels";

/** Where the reaper program (the esbuild bundle) is copied inside a reaper. */
export const PROGRAM_PATH = "/tmp/faultline-reaper.js";

/** Labels of an armed-fault volume, beyond the owner's. */
export const ArmedLabels = {
    /** The name of the reaper that guards it. */
    reaper: `${LABEL_PREFIX}.reaper`,
    /** The fault's Pulumi id. */
    faultId: `${LABEL_PREFIX}.fault-id`,
    /** When it is reverted (ISO 8601), for humans; the reaper reads `armed`. */
    expiresAt: `${LABEL_PREFIX}.expires-at`,
    /** The whole ArmedFault as JSON: what the reaper needs to revert it. */
    armed: `${LABEL_PREFIX}.armed`,
    /** On a reaper container: a random token, also in its environment, by which the reaper finds its own container. */
    token: `${LABEL_PREFIX}.reaper-token`,
} as const;

/** The role label value of armed-fault volumes. */
export const ARMED_ROLE = "armed-fault";

/** The volume that records fault `id` as armed: a hash, because fault ids carry characters names cannot. */
export function armedVolumeName(id: string): string {
    return `faultline-armed-${createHash("sha256").update(id).digest("hex").slice(0, 32)}`;
}

/** The labels of the volume that arms `fault` in reaper `reaper`. */
export function armedVolumeLabels(fault: ArmedFault, reaper: string): Record<string, string> {
    return {
        ...ownerLabels({ ...fault.owner, kind: fault.kind }),
        [Labels.role]: ARMED_ROLE,
        [ArmedLabels.reaper]: reaper,
        [ArmedLabels.faultId]: fault.id,
        [ArmedLabels.expiresAt]: new Date(fault.expiresAt).toISOString(),
        [ArmedLabels.armed]: JSON.stringify(fault),
    };
}

/** The armed fault a volume's labels record; undefined for anything else. */
export function parseArmed(labels: Record<string, string> | null | undefined): ArmedFault | undefined {
    const raw = labels?.[ArmedLabels.armed];
    if (!raw) return undefined;
    try {
        const f = JSON.parse(raw) as Partial<ArmedFault>;
        return typeof f.id === "string" && typeof f.kind === "string" && typeof f.expiresAt === "number" && f.owner ? (f as ArmedFault) : undefined;
    } catch {
        return undefined;
    }
}

/** The armed-fault volumes whose labels match `labels` too, with what each records and the reaper that guards it. */
export async function listArmed(labels: string[]): Promise<Array<{ volume: string; fault: ArmedFault; reaper: string }>> {
    const filters = JSON.stringify({ label: [`${Labels.role}=${ARMED_ROLE}`, ...labels] });
    const { Volumes } = await dockerClient().listVolumes({ filters });
    return (Volumes ?? []).flatMap((v) => {
        const fault = parseArmed(v.Labels);
        return fault ? [{ volume: v.Name, fault, reaper: v.Labels?.[ArmedLabels.reaper] ?? "" }] : [];
    });
}

/** The armed-fault volumes of reaper `reaper` (by its name), with what each records. */
export function armedIn(reaper: string): Promise<Array<{ volume: string; fault: ArmedFault }>> {
    return listArmed([`${ArmedLabels.reaper}=${reaper}`]);
}

/** Removes an armed-fault volume; true when it was there. */
export async function removeArmed(volume: string): Promise<boolean> {
    try {
        await dockerClient().getVolume(volume).remove();
        return true;
    } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
    }
}

/**
 * The name of the reaper that guards a stack's faults. One per stack, and one more per network namespace a driver's
 * revert has to run in (a Toxiproxy's, to reach its API on localhost), since a container has exactly one.
 */
export function reaperName(owner: Pick<FaultOwner, "project" | "stack">, networkMode?: string): string {
    const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "-").slice(0, 60);
    const mode = networkMode ? `-${createHash("sha256").update(networkMode).digest("hex").slice(0, 8)}` : "";
    return `faultline-reaper-${safe(owner.project)}-${safe(owner.stack)}${mode}`;
}

/** The name a reaper container serves faults under: its own, or the one it had before it began to retire. */
export function servedName(containerName: string): string {
    return containerName.replace(/-retiring-[0-9a-f]+$/, "");
}

/**
 * Retires a reaper that has nothing left to guard, without racing a concurrent arm. Arm records the fault first and
 * then checks that a reaper still holds the name; here the reaper first gives the name up (a rename the engine does
 * atomically), and only then looks for armed faults once more. A fault recorded before the rename is seen here, so
 * the reaper keeps it and stays; an arm that checks after the rename finds no reaper of that name and starts one.
 * Returns true when the reaper is gone.
 *
 * Both the reaper itself (after its last revert) and `disarm` (after destroy removed the last fault) retire it, so
 * `destroy` leaves nothing behind and a reaper whose faults all fired leaves nothing either.
 */
export async function retire(ref: string, name: string, depth = 0): Promise<boolean> {
    const info = await inspectContainer(ref);
    if (!info) {
        // The name is free: the reaper may have given it up itself and be removing itself under a retiring name.
        await retiringGoneWithin(name, RETIRE_WAIT_MS);
        return true;
    }
    if (info.State.Status === "removing" || info.State.Dead) {
        await goneWithin(info.Id, RETIRE_WAIT_MS);
        return true;
    }
    const container = dockerClient().getContainer(info.Id);
    if (info.Name === `/${name}`) {
        try {
            await container.rename({ name: `${name}-retiring-${randomBytes(4).toString("hex")}` });
        } catch (err) {
            if (isNotFound(err)) return true;
            // Renamed or being removed by a concurrent retire: look again.
            if ((err as { statusCode?: number }).statusCode === 409 && depth < 3) return retire(info.Id, name, depth + 1);
            throw err;
        }
    }
    if ((await armedIn(name)).length > 0) return false;
    const removing = await container.remove({ force: true }).then(
        () => false,
        (err: { statusCode?: number }) => {
            // 409: another retire (the reaper itself, or a concurrent disarm) is already removing it.
            if (!isNotFound(err) && err.statusCode !== 409) throw err;
            return err.statusCode === 409;
        },
    );
    // Gone when this returns, whoever removes it: `recover` and `destroy` promise nothing left behind.
    if (removing) await goneWithin(info.Id, RETIRE_WAIT_MS);
    return true;
}

/** How long a retire waits for a removal another retire started. */
const RETIRE_WAIT_MS = 10_000;

/** Waits until no container named `<name>-retiring-…` (a reaper removing itself) is left, for at most `ms`. */
async function retiringGoneWithin(name: string, ms: number): Promise<void> {
    const retiring = await dockerClient().listContainers({ all: true, filters: { name: [`${name}-retiring-`] } });
    for (const c of retiring) await goneWithin(c.Id, ms);
}

/** Waits until container `id` no longer exists, polling, for at most `ms`. */
async function goneWithin(id: string, ms: number): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end && (await inspectContainer(id)); ) {
        await new Promise((r) => setTimeout(r, 100));
    }
}

/**
 * Starts the reapers of a stack that the engine left exited although they still guard faults. After an engine
 * restart, Docker starts every container with a restart policy once, at the same moment: a reaper that runs in a
 * Toxiproxy's network namespace fails to start when the Toxiproxy is not up yet, and Docker does not try again. Every
 * reaper of the stack calls this now and then, so such a sibling runs again as soon as its namespace exists. Returns
 * the names started; a start that fails again is left for the next call.
 */
export async function startStoppedSiblings(project: string, stack: string, selfId: string): Promise<string[]> {
    const docker = dockerClient();
    const label = [`${Labels.managed}=true`, `${Labels.role}=reaper`, `${Labels.project}=${project}`, `${Labels.stack}=${stack}`];
    const exited = (await docker.listContainers({ all: true, filters: JSON.stringify({ label, status: ["exited"] }) })).filter((c) => c.Id !== selfId);
    const started: string[] = [];
    for (const c of exited) {
        const name = (c.Names[0] ?? "").replace(/^\//, "");
        if (name !== servedName(name) || (await armedIn(name)).length === 0) continue;
        try {
            await docker.getContainer(c.Id).start();
            started.push(name);
        } catch {
            // Its namespace is not there yet (or someone else started it): the next call tries again.
        }
    }
    return started;
}
