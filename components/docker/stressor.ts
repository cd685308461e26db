// What the CPU and memory stress drivers share: a stress-ng helper container per target, nested in the target's
// cgroup and PID namespace, so the target's own limits bound it and `docker stats`, `top` inside the target and the
// target's cgroup counters all see it as the target's load.
import { dockerClient, isNotFound } from "../core/docker";
import type { DriverContext, Observation, RevertOutcome } from "../core/driver";
import type { SpecIssue } from "../core/errors";
import type { FaultOwner } from "../core/labels";
import { cgroupNestingIssue, helperName, removeContainer, startHelper } from "./helper";
import { selectContainers, selectForPreflight, type ContainerSelector, type SelectedContainer } from "./selector";

/** One stressed target: the container and the stress-ng helper in its cgroup. */
export interface StressedTarget {
    containerId: string;
    containerName: string;
    /** The helper's name, chosen in `prepare` (helperName): revert removes the helper by it. */
    helperName: string;
    /** stress-ng's command line (records written by `prepare`). */
    cmd?: string[];
    /** The helper's id, once `apply` created it. */
    helperId?: string;
}

/** The revert record of a stress fault: exactly the helpers to remove. */
export interface StressRecord {
    /** Whose helpers (records written by `prepare`): they carry its labels. */
    owner?: FaultOwner;
    /** The helpers' purpose, e.g. `cpu-stress` (records written by `prepare`). */
    purpose?: string;
    targets: StressedTarget[];
}

/** stress-ng never outlives a fault without a known deadline by more than this: the TTL limit of any fault. */
const MAX_TIMEOUT_S = 24 * 3600;

/**
 * stress-ng's own --timeout: the time left until the fault's deadline, so that stress-ng stops by itself at the
 * time-to-live even if the reaper were gone. The reaper is the first line: this is the second.
 */
export function stressTimeoutSeconds(ctx: Pick<DriverContext, "expiresAt">, now = Date.now()): number {
    if (ctx.expiresAt === undefined) return MAX_TIMEOUT_S;
    return Math.min(MAX_TIMEOUT_S, Math.max(1, Math.ceil((ctx.expiresAt - now) / 1000)));
}

/** Preview-time checks: the engine can nest helpers in cgroups and the selector matches running containers. */
export async function stressPreflight(target: ContainerSelector): Promise<SpecIssue[]> {
    const issue = await cgroupNestingIssue();
    if (issue) return [{ path: "spec.target", message: issue }];
    const selection = await selectForPreflight(target);
    return "issues" in selection ? selection.issues : [];
}

/**
 * The record of a stress fault, changing nothing: per selected container, the stress-ng command (`args` plus a
 * --timeout at the fault's deadline) and the name its helper will have.
 */
export async function prepareStress(
    selector: ContainerSelector,
    purpose: string,
    argsFor: (c: SelectedContainer) => Promise<string[]>,
    ctx: DriverContext,
): Promise<StressRecord> {
    const selected = await selectContainers(selector, "spec.target");
    const timeout = stressTimeoutSeconds(ctx);
    const targets: StressedTarget[] = [];
    for (const c of selected) {
        const cmd = ["stress-ng", ...(await argsFor(c)), "--timeout", `${timeout}s`, "--quiet"];
        targets.push({ containerId: c.id, containerName: c.name, helperName: helperName({ purpose, owner: ctx.owner, target: { id: c.id, name: c.name } }), cmd });
    }
    return { owner: ctx.owner, purpose, targets };
}

/**
 * Starts the recorded stress-ng helpers. A failure leaves the ones started to the caller's revert, which removes
 * every recorded helper by name, started or only created.
 */
export async function applyStress(record: StressRecord): Promise<void> {
    for (const t of record.targets) {
        const helper = await startHelper({
            target: { id: t.containerId, name: t.containerName },
            owner: record.owner!,
            purpose: record.purpose!,
            cmd: t.cmd!,
            nestCgroup: true,
            // stress-ng needs no privilege; raising its own oom_score_adj (so the OOM killer picks it before
            // the target's processes) is allowed without one.
            capDrop: ["ALL"],
        });
        t.helperId = helper.id;
    }
}

async function exists(id: string): Promise<boolean> {
    try {
        await dockerClient().getContainer(id).inspect();
        return true;
    } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
    }
}

/**
 * Stops a stressor gracefully, then removes it. The helper shares the target's PID namespace, so a worker whose
 * stress-ng parent were SIGKILLed would be re-parented to the target's init, which may never reap it and leave a
 * zombie in the target's `ps`; on SIGTERM stress-ng stops and reaps its own workers (a few hundred ms).
 */
async function stopStressor(ref: string): Promise<boolean> {
    try {
        await dockerClient().getContainer(ref).stop({ t: 5 });
    } catch (err) {
        if (isNotFound(err)) return false;
        // 304: already stopped (e.g. stress-ng's own --timeout ran out); it is still removed below.
        if ((err as { statusCode?: number }).statusCode !== 304) throw err;
    }
    return removeContainer(ref);
}

/** Removes exactly the recorded helpers. Idempotent: helpers already gone are skipped. */
export async function revertStress(record: StressRecord, ctx: DriverContext): Promise<RevertOutcome> {
    let removed = 0;
    let gone = 0;
    for (const t of record.targets) {
        // By name: a helper created by an `apply` that was killed before it learnt the id is removed as well.
        if (await stopStressor(t.helperName)) removed++;
        if (!(await exists(t.containerId))) {
            gone++;
            ctx.warn(`container "${t.containerName}" no longer exists; its stressor is gone with it`);
        }
    }
    if (removed > 0) return "reverted";
    return record.targets.length > 0 && gone === record.targets.length ? "target-gone" : "already-reverted";
}

/** Active while any recorded stressor is running. */
export async function observeStress(record: StressRecord): Promise<Observation> {
    const running: string[] = [];
    for (const t of record.targets) {
        try {
            const info = await dockerClient().getContainer(t.helperName).inspect();
            if (info.State.Running) running.push(t.containerName);
        } catch (err) {
            if (!isNotFound(err)) throw err;
        }
    }
    return running.length > 0
        ? { active: true, detail: `stress-ng is running in ${running.map((n) => `"${n}"`).join(", ")}` }
        : { active: false, detail: "no stressor is running" };
}
