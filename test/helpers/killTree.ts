// The one way tests and benchmarks kill `pulumi up` (or a test runner): every process it started, at once, with SIGKILL.
//
// Killing `pulumi up`'s process group is not enough: the language host, the dynamic providers and the policy pack
// are started in process groups of their own, and a provider outlives `pulumi` by up to a second, long enough to
// finish an injection after "everything" was killed. So the run is started inside a cgroup v1 freezer cgroup of its
// own (every process it forks is born there, whatever its process group or session), and the kill freezes the whole
// cgroup first, then SIGKILLs every task in it: no process can fork, finish a request or escape between the moment
// the tasks are listed and the moment they die.
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { faultlineEnv, PROJECT_ROOT } from "../../runner/env";
import { repairKilledCheckpoint } from "../../runner/pulumi";

/** Where cgroup v1 mounts the freezer controller. */
const FREEZER = "/sys/fs/cgroup/freezer";

/** When to kill: a fixed delay after `pulumi up` starts, or the moment a check first sees the fault on the target. */
export type KillMoment = { afterMs: number } | { whenSeen: () => Promise<boolean> };

/** What happened around the kill. */
export interface TreeKill {
    /** When `whenSeen` first returned true (epoch ms); undefined for a kill after a delay. */
    faultsInAt?: number;
    /** When every process of the run had been sent SIGKILL (epoch ms). */
    killedAt: number;
    /** How many processes were killed: `pulumi` and every plugin it started. */
    killed: number;
    /** True when the command (`pulumi up`) had already ended on its own before the kill moment. */
    finishedFirst: boolean;
    /** Everything the command printed before it died, for failure messages. */
    output: string;
}

/** How long to keep looking for the fault's effect after an `up` that ended on its own (see upThenKillTree). */
const SEEN_AFTER_SUCCESS_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tasksOf(cgroup: string): number[] {
    return fs
        .readFileSync(path.join(cgroup, "cgroup.procs"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map(Number);
}

/** Freezes every task of `cgroup`, SIGKILLs each, thaws (so they can die) and waits until the cgroup is empty. */
async function freezeAndKill(cgroup: string): Promise<number> {
    const state = path.join(cgroup, "freezer.state");
    fs.writeFileSync(state, "FROZEN");
    for (let i = 0; fs.readFileSync(state, "utf8").trim() !== "FROZEN"; i++) {
        if (i > 500) throw new Error(`${cgroup} did not freeze within 5 s`);
        await sleep(10);
    }
    const pids = tasksOf(cgroup);
    for (const pid of pids) {
        try {
            process.kill(pid, "SIGKILL");
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
        }
    }
    fs.writeFileSync(state, "THAWED");
    for (let i = 0; tasksOf(cgroup).length > 0; i++) {
        if (i > 1000) throw new Error(`tasks of ${cgroup} still alive 10 s after SIGKILL: ${tasksOf(cgroup).join(", ")}`);
        await sleep(10);
    }
    return pids.length;
}

/**
 * Runs the real `pulumi up --yes --skip-preview` of `stack` in a freezer cgroup of its own, and at `moment` kills
 * every process it started (see the file's header); `env` adds to faultline's environment (e.g. a KUBECONFIG). Then repairs a checkpoint the kill may have torn, so later
 * commands can load the stack; the dead update's lock is left, as a real crash leaves it.
 */
export function upThenKillTree(stack: string, moment: { whenSeen: () => Promise<boolean> }, timeoutMs?: number, env?: Record<string, string>): Promise<TreeKill & { faultsInAt: number }>;
export function upThenKillTree(stack: string, moment: KillMoment, timeoutMs?: number, env?: Record<string, string>): Promise<TreeKill>;
export async function upThenKillTree(stack: string, moment: KillMoment, timeoutMs = 180_000, env: Record<string, string> = {}): Promise<TreeKill> {
    const argv = ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack];
    const kill = await runThenKillTree(argv, moment, { what: "pulumi up", timeoutMs, env: { ...faultlineEnv(), ...env } });
    // A kill in the middle of a checkpoint write leaves a file no later command can load (see the function).
    repairKilledCheckpoint(stack);
    return kill;
}

/** Options of {@link runThenKillTree}. */
export interface RunThenKillOptions {
    /** What runs, in messages (e.g. "pulumi up", "the node:test example"). */
    what: string;
    /** How long a `whenSeen` moment may take to come. Defaults to 180 s. */
    timeoutMs?: number;
    /** Added to this process's environment; an undefined value removes a variable (e.g. NODE_TEST_CONTEXT). */
    env?: Record<string, string | undefined>;
    /** Working directory. Defaults to the repository root. */
    cwd?: string;
}

/**
 * Runs `argv` in a freezer cgroup of its own and at `moment` kills every process it started (see the file's header):
 * a test runner with its workers, or `pulumi` with its plugins.
 */
export function runThenKillTree(argv: string[], moment: { whenSeen: () => Promise<boolean> }, opts: RunThenKillOptions): Promise<TreeKill & { faultsInAt: number }>;
export function runThenKillTree(argv: string[], moment: KillMoment, opts: RunThenKillOptions): Promise<TreeKill>;
export async function runThenKillTree(argv: string[], moment: KillMoment, opts: RunThenKillOptions): Promise<TreeKill> {
    const { what, timeoutMs = 180_000 } = opts;
    if (!fs.existsSync(path.join(FREEZER, "cgroup.procs"))) {
        throw new Error(`killing a whole process tree needs the cgroup v1 freezer at ${FREEZER}`);
    }
    const cgroup = path.join(FREEZER, `faultline-kill-${randomBytes(4).toString("hex")}`);
    fs.mkdirSync(cgroup);
    // The shell joins the cgroup, then becomes the command: everything it starts is born inside it.
    const child = spawn("sh", ["-c", 'echo $$ > "$0" && exec "$@"', path.join(cgroup, "cgroup.procs"), ...argv], {
        cwd: opts.cwd ?? PROJECT_ROOT,
        env: { ...process.env, ...opts.env },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (output += b.toString()));
    let exited = false;
    let exitCode: number | null = null;
    const exit = new Promise<void>((resolve) => child.on("exit", (code) => ((exited = true), (exitCode = code), resolve())));
    let faultsInAt: number | undefined;
    try {
        // The kill must never come before the shell has joined the cgroup: it would miss the whole run.
        for (let i = 0; tasksOf(cgroup).length === 0 && !exited; i++) {
            if (i > 1000) throw new Error(`${what} did not start within 10 s:\n${output}`);
            await sleep(10);
        }
        if ("afterMs" in moment) await Promise.race([sleep(moment.afterMs), exit]);
        else {
            const deadline = Date.now() + timeoutMs;
            let succeededAt: number | undefined;
            for (;;) {
                const failed = exited && exitCode !== 0;
                // A probe that throws has not seen the fault yet (as in waitFor); it is said, not swallowed.
                const seen = await moment.whenSeen().catch((err: Error) => {
                    console.log(`upThenKillTree: the probe failed, looking again: ${err.message}`);
                    return false;
                });
                if (seen) break;
                if (failed) throw new Error(`${what} failed (exit ${exitCode}) before the fault was seen:\n${output}`);
                // An `up` that succeeded on its own has put the fault in, and its effect may show a moment later (a
                // clock skew is read on the target's next call). Nothing is left to kill: look a little longer, then
                // go on as if seen, so the caller still checks the revert.
                if (exited) succeededAt ??= Date.now();
                if (succeededAt !== undefined && Date.now() - succeededAt > SEEN_AFTER_SUCCESS_MS) break;
                if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for the fault to be seen:\n${output}`);
                await sleep(20);
            }
            faultsInAt = Date.now();
        }
        const finishedFirst = exited;
        const killed = await freezeAndKill(cgroup);
        const killedAt = Date.now();
        await exit;
        return { ...(faultsInAt !== undefined ? { faultsInAt } : {}), killedAt, killed, finishedFirst, output };
    } finally {
        if (tasksOf(cgroup).length > 0) await freezeAndKill(cgroup).catch(() => undefined);
        await exit;
        fs.rmdirSync(cgroup);
    }
}
