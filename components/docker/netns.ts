import { dockerClient, isNotFound } from "../core/docker";
import { overallOutcome, type DriverContext, type Observation, type RevertOutcome } from "../core/driver";
import { selectContainers, type ContainerSelector } from "./selector";

/** A container whose network namespace a fault changes, as recorded at injection. */
export interface NetnsTarget {
    id: string;
    name: string;
}

/** Whether a container's network namespace still exists: only a running container has one. */
export async function netnsState(id: string): Promise<"running" | "stopped" | "gone"> {
    try {
        const c = await dockerClient().getContainer(id).inspect();
        return c.State.Running ? "running" : "stopped";
    } catch (err) {
        if (isNotFound(err)) return "gone";
        throw err;
    }
}

/** Resolves a target selector to the containers whose namespaces a fault changes. */
export async function selectTargets(sel: ContainerSelector, field: string): Promise<NetnsTarget[]> {
    return (await selectContainers(sel, field)).map((c) => ({ id: c.id, name: c.name }));
}

/**
 * Applies `inject` to every target at once (one helper each; they run in parallel). If any fails, the ones that
 * succeeded are undone before the error is rethrown: a failed `up` records nothing in Pulumi state and arms no
 * reaper, so nothing may stay behind.
 */
export async function injectAll<T>(
    targets: NetnsTarget[],
    inject: (t: NetnsTarget) => Promise<T>,
    undo: (t: NetnsTarget) => Promise<unknown>,
): Promise<T[]> {
    const results = await Promise.allSettled(targets.map(inject));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (!failed) return results.map((r) => (r as PromiseFulfilledResult<T>).value);
    await Promise.all(targets.filter((_, i) => results[i]!.status === "fulfilled").map((t) => undo(t).catch(() => undefined)));
    throw failed.reason;
}

/**
 * Reverts on every recorded target and sums up the outcome. A removed container is "target-gone"; a stopped one
 * lost its namespace, and the fault with it. `revertOne` reports whether it found anything to undo; if it fails
 * because the container stopped or vanished meanwhile, that is not an error either.
 */
export async function revertAll<T extends NetnsTarget>(
    targets: T[],
    revertOne: (t: T) => Promise<boolean>,
    ctx: DriverContext,
): Promise<RevertOutcome> {
    const outcomes = await Promise.all(
        targets.map(async (t): Promise<RevertOutcome> => {
            const state = await netnsState(t.id);
            if (state === "gone") {
                ctx.warn(`container "${t.name}" no longer exists; nothing to revert there`);
                return "target-gone";
            }
            if (state === "stopped") return "already-reverted";
            try {
                return (await revertOne(t)) ? "reverted" : "already-reverted";
            } catch (err) {
                const now = await netnsState(t.id);
                if (now === "running") throw err;
                return now === "gone" ? "target-gone" : "already-reverted";
            }
        }),
    );
    return overallOutcome(outcomes);
}

/** Observes every running recorded target: the fault is active while it is in place on at least one of them. */
export async function observeAll<T extends NetnsTarget>(
    targets: T[],
    activeOn: (t: T) => Promise<boolean>,
    what: string,
): Promise<Observation> {
    const active = await Promise.all(
        targets.map(async (t) => ((await netnsState(t.id)) === "running" ? activeOn(t) : false)),
    );
    const on = targets.filter((_, i) => active[i]).map((t) => t.name);
    return on.length > 0
        ? { active: true, detail: `${what} in place on ${on.join(", ")}` }
        : { active: false, detail: `${what} not in place on any of ${targets.map((t) => t.name).join(", ")}` };
}
