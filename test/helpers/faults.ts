import * as fs from "node:fs";
import type { Stack } from "@pulumi/pulumi/automation";
import { containerName, dockerClient } from "../../components/core/docker";
import { Labels, STANDBY_KIND } from "../../components/core/labels";
import { armedFaults } from "../../components/docker/reaper";
import { lockFile } from "../../runner/lock";
import { backendLocks, checkpointOf, clearDeadBackendLocks, openStack, removeStack, withoutResultReads } from "../../runner/pulumi";

/**
 * What faultline has left on the engine for a stack: its helper containers, and the faults armed in its reapers
 * (role "reaper", one entry per armed fault, `fault` "" for a reaper with nothing armed that has not retired yet).
 */
export async function faultlineContainersOf(stack: string): Promise<{ name: string; role: string; fault: string; expiresAt?: string }[]> {
    const filters = JSON.stringify({ label: [`${Labels.stack}=${stack}`, `${Labels.managed}=true`, `${Labels.role}=helper`] });
    const helpers = (await dockerClient().listContainers({ all: true, filters })).map((c) => ({
        name: containerName(c),
        role: "helper",
        fault: c.Labels?.[Labels.fault] ?? "",
    }));
    const armed = (await armedFaults({ stack })).filter((a) => a.kind !== STANDBY_KIND).map((a) => ({
        name: a.reaperName,
        role: "reaper",
        fault: a.owner.fault,
        ...(a.expiresAt ? { expiresAt: new Date(a.expiresAt).toISOString() } : {}),
    }));
    return [...helpers, ...armed];
}

/**
 * Brings a stack whose `pulumi up` was killed back to a state `destroy` accepts, in two steps:
 * 1. The killed update still holds the stack's lock (a lock file in the local backend), and every later command
 *    refuses to run with "the stack is currently locked": its dead lock is removed as `faultline recover` does
 *    (clearDeadBackendLocks), without a `pulumi cancel` process; `pulumi cancel` only for a lock that still looks
 *    live (one torn by the kill, for the few seconds its write may last).
 * 2. `pulumi refresh --clear-pending-creates`: the killed update left its in-flight creates as pending operations in
 *    the checkpoint; this drops them (their faults are reverted by their reapers) and reads every recorded fault,
 *    dropping those already reverted.
 */
export async function recoverKilledStack(stack: Stack): Promise<void> {
    if (clearDeadBackendLocks(stack.name).live.length > 0) await stack.cancel();
    // Its result is not read: no `stack history` after it (runner/pulumi.ts withoutResultReads).
    await withoutResultReads(stack).refresh({ clearPendingCreates: true });
}

/** The logs of a stack's reaper containers still present, for failure messages. */
export async function reaperLogs(stack: string): Promise<string> {
    const filters = JSON.stringify({ label: [`${Labels.stack}=${stack}`, `${Labels.role}=reaper`] });
    const out: string[] = [];
    for (const c of await dockerClient().listContainers({ all: true, filters })) {
        const logs = (await dockerClient().getContainer(c.Id).logs({ stdout: true, stderr: true, timestamps: true })) as unknown as Buffer;
        // Strip Docker's 8-byte frame headers; good enough for reading.
        out.push(`${c.Names[0]} (${c.Status}):\n${logs.toString("utf8").replace(/[\x00-\x08]/g, "")}`);
    }
    return out.join("\n") || "(no reaper container left)";
}

/**
 * Tears a test stack down whatever state a test left it in: releases a killed update's lock, drops pending
 * creates, destroys what is left and removes the stack. Never throws: it runs in `after`, where the test's own
 * failure is the one worth seeing.
 */
export async function teardownStack(stack: Stack): Promise<void> {
    // Most tests leave their stack destroyed: then cancel, refresh and destroy have nothing to do, yet cost a
    // `pulumi` process each (about 2 s of CPU together, in every file's `after`, on a tier bound by CPU).
    if (!stackIsEmpty(stack.name)) {
        const lean = withoutResultReads(stack);
        await stack.cancel().catch(() => undefined);
        await lean.refresh({ clearPendingCreates: true }).catch(() => undefined);
        await lean.destroy().catch(() => undefined);
    }
    await removeStack(stack).catch(() => undefined);
}

/**
 * True only when the stack's checkpoint in the local file backend is known to hold nothing to tear down: no resource,
 * no pending operation, no lock. False whenever it cannot tell (another backend, no such file, unreadable).
 */
export function stackIsEmpty(stackName: string): boolean {
    try {
        const latest = checkpointOf(stackName);
        return latest !== undefined && (latest.resources ?? []).length === 0 && (latest.pending_operations ?? []).length === 0 && backendLocks(stackName).length === 0;
    } catch {
        return false;
    }
}

/** {@link teardownStack} for a stack the runner used, by name (if it exists), and its runner lock file. */
export async function teardownRunStack(name: string): Promise<void> {
    const stack = await openStack(name).catch(() => undefined);
    if (stack) await teardownStack(stack);
    fs.rmSync(lockFile(name), { force: true });
}
