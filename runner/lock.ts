import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import lockfile from "proper-lockfile";
import { PROJECT_ROOT } from "./env";
import { StackLockedError, type LockHolder } from "./errors";

/** Where stack locks live: .faultline/locks/<stack>.lock. */
export const LOCK_DIR = path.join(PROJECT_ROOT, ".faultline", "locks");

/** The runner lock file of `stack`. */
export function lockFile(stack: string): string {
    return path.join(LOCK_DIR, `${stack.replace(/[^A-Za-z0-9_.-]/g, "_")}.lock`);
}

/** Clock ticks per second of /proc/<pid>/stat's start time (USER_HZ, 100 on every Linux architecture in use). */
const USER_HZ = 100;

/**
 * Process `pid`'s state letter and start time (epoch ms) from /proc/<pid>/stat; undefined where /proc cannot say (not
 * Linux, or it is gone).
 */
function procStat(pid: number): { state: string; startedAt: number | undefined } | undefined {
    try {
        // The command name (field 2) may hold spaces and parentheses: count fields from the last ")".
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const rest = fields.slice(fields.lastIndexOf(")") + 2).split(" ");
        const ticks = Number(rest[19]);
        const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync("/proc/stat", "utf8"))?.[1]);
        return { state: rest[0] ?? "", startedAt: Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + (ticks * 1000) / USER_HZ : undefined };
    } catch {
        return undefined;
    }
}

/**
 * True when `pid` is a live process on this host (signal 0 checks without signalling). A zombie is dead: it holds
 * nothing, but signal 0 reaches it until its parent reaps it, which for an orphan of a killed process tree can take
 * a while. With `since`, the time the holder recorded when it took its lock, a live process that started after it is
 * a later process that reuses the pid, so the holder is dead all the same (2 s of slack for the clock's granularity).
 */
export function processAlive(pid: number, since?: Date): boolean {
    try {
        process.kill(pid, 0);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
    }
    const stat = procStat(pid);
    if (stat?.state === "Z" || stat?.state === "X") return false;
    const started = since && !Number.isNaN(since.getTime()) ? stat?.startedAt : undefined;
    return started === undefined || started <= since!.getTime() + 2000;
}

/**
 * How long a lock whose holder stopped refreshing it stays held (proper-lockfile's `stale`; it refreshes the lock's
 * mtime every half of it). This is what settles a lock of another host, whose pid cannot be checked from here.
 */
const STALE_MS = 10_000;

/** proper-lockfile's options: the holder file need not exist; its lock is the directory `<file>.lock` beside it. */
const lockOptions = { realpath: false, stale: STALE_MS } as const;

/** The holder record of a lock file, or undefined when there is none (yet, or any more). */
function readHolder(file: string): LockHolder | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
    } catch {
        return undefined;
    }
}

/**
 * The live holder of a stack's lock, or undefined when it is free. A lock of this host is free when its process is
 * dead (a crashed or SIGKILLed run), at once; a lock of another host while its holder keeps refreshing it.
 */
export function lockHolder(stack: string): LockHolder | undefined {
    const holder = readHolder(lockFile(stack));
    if (!holder) return undefined;
    if (holder.host !== os.hostname()) return lockfile.checkSync(lockFile(stack), lockOptions) ? holder : undefined;
    return processAlive(holder.pid, new Date(holder.startedAt)) ? holder : undefined;
}

/**
 * Takes the stack's lock (proper-lockfile: an atomic mkdir, refreshed while held) and records the owner's pid in
 * the lock file. A lock whose process is dead is stale and taken over at once. Returns the release function.
 */
export function acquireLock(stack: string, command: string): () => void {
    fs.mkdirSync(LOCK_DIR, { recursive: true });
    const file = lockFile(stack);
    const me: LockHolder = { pid: process.pid, host: os.hostname(), command, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
        let unlock: () => void;
        try {
            // A lock that stopped being refreshed (a process suspended past STALE_MS) may be taken by another run:
            // say so instead of proper-lockfile's default, which throws from a timer and ends the process.
            unlock = lockfile.lockSync(file, { ...lockOptions, onCompromised: (err) => process.stderr.write(`warning: the runner lock of stack "${stack}" was lost: ${err.message}\n`) });
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw err;
            const holder = lockHolder(stack);
            // No record yet: another run took the lock a moment ago and is writing it.
            if (holder || !readHolder(file)) throw new StackLockedError(stack, holder ?? { ...me, pid: 0, command: "another faultline (starting)" });
            // Its owner is dead: remove its lock and try again; the atomic mkdir settles a race between two takers.
            fs.rmSync(`${file}.lock`, { recursive: true, force: true });
            continue;
        }
        // A record of a live process on this host without the directory lock: a faultline of an earlier version
        // (an O_EXCL file only) holds the stack. Leave it to that run.
        const prior = readHolder(file);
        if (prior && prior.pid !== me.pid && prior.host === me.host && processAlive(prior.pid, new Date(prior.startedAt))) {
            unlock();
            throw new StackLockedError(stack, prior);
        }
        fs.writeFileSync(file, JSON.stringify(me));
        let released = false;
        return () => {
            if (released) return;
            released = true;
            if (readHolder(file)?.pid === me.pid) fs.rmSync(file, { force: true });
            try {
                unlock();
            } catch {
                // already released or taken over
            }
        };
    }
    throw new Error(`could not take the lock ${file}; remove it if no faultline is running`);
}

/**
 * Removes the runner locks whose process is dead (of one stack, or of every stack): a crashed run leaves its lock
 * file, which later runs take over anyway, but `recover` leaves nothing stale behind. Locks of other hosts are kept,
 * since their processes cannot be checked from here. Returns the holders removed.
 */
export function removeDeadLocks(stack?: string): LockHolder[] {
    if (!fs.existsSync(LOCK_DIR)) return [];
    const files = stack ? [lockFile(stack)] : fs.readdirSync(LOCK_DIR).filter((f) => f.endsWith(".lock") && !f.endsWith(".lock.lock")).map((f) => path.join(LOCK_DIR, f));
    const removed: LockHolder[] = [];
    for (const file of files) {
        let holder: LockHolder;
        try {
            holder = JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
            // Torn by a kill between create and write: no live run leaves it so for longer than that write.
            const stat = fs.statSync(file, { throwIfNoEntry: false });
            if (!stat || Date.now() - stat.mtimeMs < 5000) continue;
            holder = { pid: 0, host: os.hostname(), command: "unknown (empty lock file)", startedAt: "" };
        }
        if (holder.host !== os.hostname() || (holder.pid > 0 && processAlive(holder.pid, new Date(holder.startedAt)))) continue;
        fs.rmSync(file, { force: true });
        fs.rmSync(`${file}.lock`, { recursive: true, force: true });
        removed.push(holder);
    }
    return removed;
}
