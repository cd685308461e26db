import { spawn } from "node:child_process";
import { dockerClient } from "../../components/core/docker";
import { STANDBY_KIND } from "../../components/core/labels";
import { armedFaults } from "../../components/docker/reaper";
import { PROJECT_ROOT, faultlineEnv } from "../../runner/env";
import { repairKilledCheckpoint } from "../../runner/pulumi";

/** Polls `check` every `everyMs` until it is true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 250): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await check()) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

/**
 * Runs `pulumi up` on `stack` as a separate process group, waits until `injected()` sees the fault on the target,
 * then kills the whole group (the CLI, the language host, the program and the dynamic provider) with SIGKILL, as a
 * crashed laptop would. Returns when the group is gone.
 */
export async function upThenSigkill(stack: string, injected: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
    const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...faultlineEnv() },
        detached: true,
        stdio: "ignore",
    });
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    try {
        await waitFor("the fault to be injected by `pulumi up`", injected, timeoutMs);
    } finally {
        try {
            process.kill(-child.pid!, "SIGKILL");
        } catch (err) {
            // ESRCH: `pulumi up` already finished on its own (a fast machine); the reaper still has to do the revert.
            if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
        }
        await exited;
        // A kill in the middle of a checkpoint write leaves a file no later command can load (see the function).
        repairKilledCheckpoint(stack);
    }
}

/** The faults named `fault` armed in a stack's reapers, running or not. */
export async function reapersOf(stack: string, fault: string) {
    return (await armedFaults({ stack })).filter((a) => a.kind !== STANDBY_KIND && a.owner.fault === fault);
}

/** Helper containers of a stack's fault, running or not. */
export async function helpersOf(stack: string, fault: string) {
    const filters = JSON.stringify({
        label: ["dev.faultline.role=helper", `dev.faultline.stack=${stack}`, `dev.faultline.fault=${fault}`],
    });
    return dockerClient().listContainers({ all: true, filters });
}
