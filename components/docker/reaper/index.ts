import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import * as path from "node:path";
import { REAPER_BUNDLES, reaperBundle } from "../../core/bundle";
import type { ArmedFault, ReaperHost } from "../../core/FaultResource";
import { containerName, dockerClient, inspectContainer, isNotFound } from "../../core/docker";
import { Labels } from "../../core/labels";
import { tarOf } from "../files";
import { toolsImage } from "../helper";
import { ArmedLabels, armedIn, armedVolumeLabels, armedVolumeName, listArmed, PROGRAM_PATH, reaperName, removeArmed, retire, servedName } from "./reaperStore";

let bundle: Promise<Buffer> | undefined;

/** reaperMain.ts and every driver, bundled into one file (core/bundle.ts), once per process. */
function dockerReaperBundle(): Promise<Buffer> {
    bundle ??= reaperBundle(REAPER_BUNDLES.docker);
    // A failed build is not kept: the next arm tries again.
    bundle.catch(() => (bundle = undefined));
    return bundle;
}

/** A fault armed in a reaper, as `recover` and the tests see it. */
export interface ArmedEntry extends ArmedFault {
    /** The reaper (by name) that guards it, and whether a container of that name is running now. */
    reaperName: string;
    running: boolean;
    /** The volume that records it. */
    volume: string;
}

/**
 * Every fault armed on this engine for a stack (or for every stack), running reaper or not. A reaper with nothing
 * armed (about to retire) is listed with `id` "".
 */
export async function armedFaults(filter: { project?: string; stack?: string } = {}): Promise<ArmedEntry[]> {
    const docker = dockerClient();
    const label = [`${Labels.managed}=true`];
    if (filter.project) label.push(`${Labels.project}=${filter.project}`);
    if (filter.stack) label.push(`${Labels.stack}=${filter.stack}`);
    const reapers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [...label, `${Labels.role}=reaper`] }) });
    const running = new Set(reapers.filter((c) => c.State === "running").map(containerName));
    const out: ArmedEntry[] = (await listArmed(label)).map((a) => ({ ...a.fault, reaperName: a.reaper, running: running.has(a.reaper), volume: a.volume }));
    for (const c of reapers) {
        const name = containerName(c);
        if (out.some((a) => a.reaperName === servedName(name))) continue;
        const owner = { project: c.Labels[Labels.project] ?? "", stack: c.Labels[Labels.stack] ?? "", experiment: "", fault: "", kind: "" };
        out.push({ id: "", kind: "", record: null, owner, expiresAt: 0, reaperName: name, running: c.State === "running", volume: "" });
    }
    return out;
}

/**
 * Docker reapers. One labelled container per stack (per network namespace its reverts need) on the same engine as
 * the targets, with the engine's socket and a restart policy, so it outlives Pulumi, the runner, the shell and a
 * restart of the engine itself. Each armed fault is a labelled volume; the program inside reverts each at its
 * deadline and removes the volume.
 *
 * Why one per stack and not one per fault: arming must finish before a two-phase fault touches its target, so it is
 * on the path of every injection. Starting a container takes 0.3-0.5 s on an idle engine (several seconds on a busy
 * one), several times a `docker pause`; creating a volume and checking the reaper runs takes a few milliseconds.
 * Only the first fault of a stack pays for the start, and an experiment stack starts its reaper ahead of its faults
 * (ExperimentMetadata's standby), so none of them does.
 */
export const reaper: ReaperHost = {
    async arm(fault) {
        const docker = dockerClient();
        const name = reaperName(fault.owner, fault.networkMode);
        const volume = armedVolumeName(fault.id);
        // Recorded first, so that a reaper that still holds the name below will see it (retire in reaperStore.ts).
        // A volume of the same name keeps its old labels on create: a re-arm (the standby's) replaces it.
        await removeArmed(volume);
        await docker.createVolume({ Name: volume, Labels: armedVolumeLabels(fault, name) });
        try {
            await ensureReaper(name, fault);
        } catch (err) {
            await removeArmed(volume).catch(() => undefined);
            throw err;
        }
    },

    warm() {
        dockerReaperBundle().catch(() => undefined);
    },

    async disarm(id, owner) {
        const volume = armedVolumeName(id);
        const vol = await dockerClient()
            .getVolume(volume)
            .inspect()
            .catch((err: unknown) => {
                if (isNotFound(err)) return undefined;
                throw err;
            });
        if (!vol) return; // its reaper already reverted it
        const name = vol.Labels?.[ArmedLabels.reaper] ?? reaperName(owner);
        await removeArmed(volume);
        // The last fault of a stack (destroy): the reaper goes with it, now rather than at its next look.
        await retireIfIdle(name, owner.stack);
    },
};

/** The look of {@link retireIfIdle} queued or running for each reaper, by name. */
const idleLooks = new Map<string, { started: boolean; done: Promise<void> }>();

/**
 * Retires reaper `name` (of `stack`) when no armed fault is left in it. A destroy disarms all of a stack's faults at
 * once, and each one listing the reaper's armed volumes made it quadratic: N lists of up to N volumes, all on the
 * engine at the same moment (10 concurrent lists of 100 volumes took 0.26 s on an idle engine). Callers that arrive
 * while a look is queued share it, and a queued look starts only after the running one, so every caller's own volume
 * is already gone when the look it waits for begins: the last disarm still sees none left and retires the reaper.
 */
function retireIfIdle(name: string, stack: string): Promise<void> {
    const queued = idleLooks.get(name);
    if (queued && !queued.started) return queued.done;
    const look = { started: false, done: Promise.resolve() };
    look.done = (queued?.done.catch(() => undefined) ?? Promise.resolve()).then(async () => {
        look.started = true;
        try {
            if ((await armedIn(name)).length > 0) return;
            for (const c of await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [`${Labels.role}=reaper`, `${Labels.stack}=${stack}`] }) })) {
                if (servedName(containerName(c)) === name) await retire(c.Id, name);
            }
        } finally {
            if (idleLooks.get(name) === look) idleLooks.delete(name);
        }
    });
    idleLooks.set(name, look);
    return look.done;
}

/**
 * How long a reaper may stay created but not started before it counts as left by an arm that died between the two
 * (a SIGKILL of `pulumi up`): the arm that creates one copies the program in and starts it within a second or two,
 * even on a loaded engine.
 */
export const STALE_CREATED_MS = 30_000;

/**
 * Makes sure reaper `name` runs, starting it (from `fault`'s owner and network mode) when there is none. A reaper
 * stopped by hand is started again; one left created-but-never-started by an arm that died, or dead, is replaced:
 * it may lack its program, and starting it would only make it crash again and again.
 */
export async function ensureReaper(name: string, fault: ArmedFault): Promise<void> {
    const docker = dockerClient();
    // Bounded in time, not tries: a reaper left created may have to age past STALE_CREATED_MS first.
    const deadline = Date.now() + STALE_CREATED_MS + 15_000;
    while (Date.now() < deadline) {
        const info = await inspectContainer(name);
        if (!info) {
            if (await startReaper(name, fault)) return;
            continue; // another arm created it first
        }
        if (info.State.Running) return;
        const created = info.State.Status === "created";
        if ((created && Date.now() - Date.parse(info.Created) >= STALE_CREATED_MS) || info.State.Status === "dead") {
            await docker.getContainer(info.Id).remove({ force: true }).catch((err: unknown) => {
                // 409: being removed already (by a concurrent ensure): look again.
                if (!isNotFound(err) && (err as { statusCode?: number }).statusCode !== 409) throw err;
            });
            continue;
        }
        if (info.State.Status === "exited") {
            // Stopped by hand (or by an engine that went down): it has its program, it only needs to run.
            await docker.getContainer(info.Id).start().catch((err: { statusCode?: number }) => {
                if (err.statusCode !== 304) throw err;
            });
            continue;
        }
        // Created by a concurrent arm still copying the program in, restarting, being removed: look again shortly.
        await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`reaper ${name} did not come up within ${(STALE_CREATED_MS + 15_000) / 1000} s: it kept being created, restarted or removed by others; see \`docker ps -a --filter name=${name}\``);
}

/** Creates and starts a stack's reaper; false when a reaper of that name appeared first. */
async function startReaper(name: string, fault: ArmedFault): Promise<boolean> {
    const container = await createReaper(name, fault);
    if (!container) return false;
    try {
        await container.putArchive(tarOf(path.posix.basename(PROGRAM_PATH), await dockerReaperBundle()), { path: path.posix.dirname(PROGRAM_PATH) });
        await container.start();
    } catch (err) {
        await container.remove({ force: true }).catch(() => undefined);
        throw err;
    }
    return true;
}

/**
 * Creates a stack's reaper container, without its program and not started: the first step of starting one, and what
 * an arm killed right after it leaves. Undefined when a reaper of that name exists already.
 */
export async function createReaper(name: string, fault: ArmedFault): Promise<Docker.Container | undefined> {
    const token = randomBytes(12).toString("hex");
    try {
        return await dockerClient().createContainer({
            name,
            // The tools image has Node.js.
            Image: toolsImage(),
            Cmd: ["node", PROGRAM_PATH],
            // The reaper serves the faults armed under this name, also after it gave the name up to retire.
            Env: [`FAULTLINE_REAPER_NAME=${name}`, `FAULTLINE_REAPER_TOKEN=${token}`],
            Labels: {
                [ArmedLabels.token]: token,
                [Labels.managed]: "true",
                [Labels.project]: fault.owner.project,
                [Labels.stack]: fault.owner.stack,
                [Labels.experiment]: fault.owner.experiment,
                [Labels.role]: "reaper",
            },
            HostConfig: {
                Binds: ["/var/run/docker.sock:/var/run/docker.sock"],
                NetworkMode: fault.networkMode ?? "none",
                RestartPolicy: { Name: "unless-stopped" },
                // A reaper sleeps; keep it from competing with the experiment it guards. One CPU, not less: its
                // only work is loading Node and the bundle, then the reverts, and under a quarter CPU on a busy host
                // (load 30 on 2 cores) nine reapers armed together reverted 5-12 s after their deadline (1 CPU: ≤ 1.5 s).
                Memory: 128 * 1024 * 1024,
                NanoCpus: 1_000_000_000,
            },
        });
    } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 409) return undefined;
        throw err;
    }
}

/** What {@link repairReapers} did to one reaper container that was not running. */
export interface ReaperRepair {
    /** The container's name as found. */
    name: string;
    stack: string;
    /** Its state as found: `created`, `exited`, `dead`. */
    state: string;
    action: "started" | "replaced" | "removed" | "failed";
    detail: string;
}

/**
 * Repairs the reapers of a project (or of one stack) that are not running: one that still has faults armed is started
 * again, or replaced when it was left created by an arm that died (see {@link ensureReaper}); one with nothing armed
 * is removed, since it would otherwise hold the name and guard nothing. Running reapers are left alone.
 */
export async function repairReapers(filter: { project: string; stack?: string }, include: (stack: string) => boolean = () => true): Promise<ReaperRepair[]> {
    const docker = dockerClient();
    const label = [`${Labels.managed}=true`, `${Labels.role}=reaper`, `${Labels.project}=${filter.project}`];
    if (filter.stack) label.push(`${Labels.stack}=${filter.stack}`);
    const out: ReaperRepair[] = [];
    for (const c of await docker.listContainers({ all: true, filters: JSON.stringify({ label }) })) {
        const stack = c.Labels[Labels.stack] ?? "";
        if (c.State === "running" || c.State === "restarting" || c.State === "removing" || !include(stack)) continue;
        const name = containerName(c);
        const served = servedName(name);
        const base = { name, stack, state: c.State };
        try {
            const armed = await armedIn(served);
            if (armed.length === 0 || name !== served) {
                // Nothing to guard, or a retiring one that stopped half-way: its faults (if any) need the name's own.
                await docker.getContainer(c.Id).remove({ force: true }).catch((err: unknown) => {
                    if (!isNotFound(err)) throw err;
                });
                if (armed.length > 0) await ensureReaper(served, armed[0]!.fault);
                out.push({ ...base, action: armed.length > 0 ? "replaced" : "removed", detail: armed.length > 0 ? `a retiring reaper, replaced by a new ${served} for ${armed.length} armed record(s)` : "it guarded nothing" });
                continue;
            }
            await ensureReaper(served, armed[0]!.fault);
            const now = await inspectContainer(served);
            const replaced = !now || now.Id !== c.Id;
            out.push({ ...base, action: replaced ? "replaced" : "started", detail: `${replaced ? "replaced" : "started again"}: it guards ${armed.length} armed record(s)` });
        } catch (err) {
            out.push({ ...base, action: "failed", detail: String(err) });
        }
    }
    return out;
}
