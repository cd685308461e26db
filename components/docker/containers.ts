// Pieces shared by the container lifecycle drivers (kill, stop, restart, pause, process-kill, resource-limits).
import type Docker from "dockerode";
import { dockerClient, inspectContainer } from "../core/docker";
import { overallOutcome, type DriverContext, type RevertOutcome } from "../core/driver";
import { FaultError } from "../core/errors";
import { selectContainers, type ContainerSelector } from "./selector";

/** A container a fault hit, as kept in its record: its id (what revert touches) and name (for messages). */
export interface ContainerRef {
    id: string;
    name: string;
}

/** One run of a container: Docker's `State.StartedAt` changes whenever it is started again. */
export interface ContainerRun extends ContainerRef {
    /** `State.StartedAt` when the fault hit the container. */
    startedAt: string;
    /** The restart policy it had (`no`, `always`, `unless-stopped`, `on-failure`), kept for the record. */
    restartPolicy: string;
}

/** The container's name without Docker's leading slash. */
export function nameOf(info: Docker.ContainerInspectInfo): string {
    return info.Name.replace(/^\//, "");
}

/** What a fault records about a running container before it stops it. */
export function runOf(info: Docker.ContainerInspectInfo): ContainerRun {
    return { id: info.Id, name: nameOf(info), startedAt: info.State.StartedAt, restartPolicy: info.HostConfig.RestartPolicy?.Name || "no" };
}

/**
 * True when the run the fault hit has ended and nobody has started the container since: the fault left it
 * stopped. A restart policy, a human or an earlier revert that brought it back changes `StartedAt`, and then it is
 * no longer the fault's to start (even if it has stopped again since, for reasons of its own).
 */
export function leftStopped(info: Docker.ContainerInspectInfo, run: ContainerRun): boolean {
    return !info.State.Running && !info.State.Restarting && info.State.StartedAt === run.startedAt;
}

/** Warns about a container that is gone, and says so as an outcome. */
export function gone(ref: ContainerRef, ctx: DriverContext, what: string): RevertOutcome {
    ctx.warn(`container "${ref.name}" no longer exists; nothing to ${what}`);
    return "target-gone";
}

/** Starts a container; "already started" (304) counts as success, because someone else got there first. */
export async function startContainer(id: string): Promise<void> {
    try {
        await dockerClient().getContainer(id).start();
    } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 304) throw err;
    }
}

/**
 * Resolves a selector and inspects every container it picks (a fault records their state before touching them).
 * A container that vanished between the two steps is left out; if all did, the selector's field is named.
 */
export async function inspectSelected(sel: ContainerSelector): Promise<Docker.ContainerInspectInfo[]> {
    const picked = await selectContainers(sel, "spec.target");
    const infos = (await Promise.all(picked.map((c) => inspectContainer(c.id)))).filter((i) => i !== undefined);
    if (infos.length === 0) throw new FaultError("spec.target", "the selected containers disappeared while the fault was being injected");
    return infos;
}

/**
 * The revert of every fault that stops containers (kill, stop, process-kill): start each container the fault left
 * stopped; leave alone whatever was started since (by a restart policy, a human, an earlier revert) or removed.
 */
export async function startLeftStopped(runs: ContainerRun[], ctx: DriverContext): Promise<RevertOutcome> {
    const outcomes = await Promise.all(
        runs.map(async (run): Promise<RevertOutcome> => {
            const info = await inspectContainer(run.id);
            if (!info) return gone(run, ctx, "start again");
            if (!leftStopped(info, run)) return "already-reverted";
            await startContainer(run.id);
            return "reverted";
        }),
    );
    return overallOutcome(outcomes);
}

/** Names of the containers among `runs` that the fault left stopped (see {@link leftStopped}). */
export async function stillStopped(runs: ContainerRun[]): Promise<string[]> {
    const infos = await Promise.all(runs.map((r) => inspectContainer(r.id)));
    return runs.filter((r, i) => infos[i] !== undefined && leftStopped(infos[i]!, r)).map((r) => r.name);
}

/** The names of `refs`, for messages. */
export function namesOf(refs: ContainerRef[]): string {
    return refs.map((r) => r.name).join(", ");
}
