// Killing a whole process tree the way an OOM killer or a cancelled CI job does: every process an operation started,
// whatever its process group. Pulumi's plugins (language host, providers, policy pack) run in process groups of their
// own, so `kill -9 -<pgid>` of `pulumi up` leaves them alive for a while.
import * as fs from "node:fs";

/** The direct children of `pid`, from /proc/<pid>/task/<tid>/children (every thread's). */
function childrenOf(pid: number): number[] {
    const out: number[] = [];
    let tasks: string[];
    try {
        tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
        return [];
    }
    for (const tid of tasks) {
        try {
            for (const c of fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/)) if (c) out.push(Number(c));
        } catch {
            // the thread ended meanwhile
        }
    }
    return out;
}

/** `pid` and every process below it, parents first. */
export function processTree(pid: number): number[] {
    const seen: number[] = [];
    const queue = [pid];
    while (queue.length > 0) {
        const p = queue.shift()!;
        if (seen.includes(p)) continue;
        seen.push(p);
        queue.push(...childrenOf(p));
    }
    return seen.filter((p) => fs.existsSync(`/proc/${p}`));
}

/**
 * SIGKILLs `pid` and all its descendants at once. Each is first stopped (SIGSTOP), and the tree walked again until no
 * new process appears, so none can fork a child the walk misses or react to its parent's death; then every one gets
 * SIGKILL. Returns the pids killed.
 */
export function killTree(pid: number): number[] {
    const stopped = new Set<number>();
    for (let round = 0; round < 20; round++) {
        const found = processTree(pid).filter((p) => !stopped.has(p));
        if (found.length === 0) break;
        for (const p of found) {
            try {
                process.kill(p, "SIGSTOP");
            } catch {
                // already gone
            }
            stopped.add(p);
        }
    }
    for (const p of stopped) {
        try {
            process.kill(p, "SIGKILL");
        } catch {
            // already gone
        }
    }
    return [...stopped];
}
