import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "./env";
import { StackLockedError, type LockHolder } from "./errors";

/** Where stack locks live: .faultline/locks/<stack>.lock. */
export const LOCK_DIR = path.join(PROJECT_ROOT, ".faultline", "locks");

function lockFile(stack: string): string {
    return path.join(LOCK_DIR, `${stack.replace(/[^A-Za-z0-9_.-]/g, "_")}.lock`);
}

/** True when `pid` is a live process on this host (signal 0 checks without signalling). */
function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** The live holder of a stack's lock, or undefined when it is free (a lock left by a dead process is free). */
export function lockHolder(stack: string): LockHolder | undefined {
    try {
        const holder = JSON.parse(fs.readFileSync(lockFile(stack), "utf8")) as LockHolder;
        if (holder.host !== os.hostname()) return holder; // another host: cannot check, so it counts as held
        return alive(holder.pid) ? holder : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Takes the stack's lock: a file created with O_EXCL holding the owner's pid. A lock whose process is dead (a
 * crashed or SIGKILLed run) is stale and taken over. Returns the release function.
 */
export function acquireLock(stack: string, command: string): () => void {
    fs.mkdirSync(LOCK_DIR, { recursive: true });
    const file = lockFile(stack);
    const me: LockHolder = { pid: process.pid, host: os.hostname(), command, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
        try {
            const fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o644);
            fs.writeSync(fd, JSON.stringify(me));
            fs.closeSync(fd);
            let released = false;
            return () => {
                if (released) return;
                released = true;
                try {
                    const holder = JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
                    if (holder.pid === me.pid) fs.rmSync(file, { force: true });
                } catch {
                    // already gone
                }
            };
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
            const holder = lockHolder(stack);
            if (holder) throw new StackLockedError(stack, holder);
            // Stale: its owner is gone. Remove it and try again; O_EXCL settles a race between two takers.
            fs.rmSync(file, { force: true });
        }
    }
    throw new Error(`could not take the lock ${file}; remove it if no faultline is running`);
}
