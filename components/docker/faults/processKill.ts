import { z } from "zod";
import { dockerClient, execInContainer } from "../../core/docker";
import type { DriverContext, FaultDriver, Observation } from "../../core/driver";
import { FaultError } from "../../core/errors";
import { inspectSelected, namesOf, runOf, startLeftStopped, stillStopped, type ContainerRun } from "../containers";
import { runInNamespaces } from "../helper";
import { containerTarget, describeSelector, planContainers } from "../selector";
import { Signal } from "../signal";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Spec of a process kill: signal the processes matching a pattern inside the selected containers. */
export const ProcessKillSpec = z
    .object({
        /** Which running containers to look in, and how many of them (blast radius). */
        target: containerTarget('the containers whose processes to kill, e.g. { name: "web" }'),
        /**
         * The processes to signal: a pattern as `pkill` takes it (an extended regular expression matched against the
         * process name, at most 15 characters, e.g. "nginx" or "^worker$"; against the whole command line with
         * `fullCommand`).
         */
        process: z
            .string({ error: 'required: a pattern for the processes to kill, e.g. "nginx" (as `pkill` takes it)' })
            .min(1, 'must not be empty: give a pattern for the processes to kill, e.g. "nginx"'),
        /** Match `process` against the full command line (`pkill -f`) instead of the process name. Defaults to false. */
        fullCommand: z.boolean().default(false),
        /** The signal to send. Defaults to SIGKILL. */
        signal: Signal.default("SIGKILL"),
    })
    .strict();
export type ProcessKillSpec = z.infer<typeof ProcessKillSpec>;

/**
 * One container hit by a process kill: its run, and the processes that matched (pid and name, in its namespace;
 * empty in the reaper's copy, which is armed before the kill).
 */
export interface ProcessKillTarget extends ContainerRun {
    processes: { pid: number; name: string }[];
}

/** What a process kill did, so revert can start a container whose main process it took down. */
export interface ProcessKillRecord {
    process: string;
    fullCommand: boolean;
    signal: Signal;
    containers: ProcessKillTarget[];
}

// Finds the processes matching the pattern by reading /proc (as pgrep does: the process name, or with `full` the
// command line with its arguments joined by spaces, against an extended regular expression) and signals them, all
// but PID 1 (the container's main process ignores signals from inside its namespace: the engine signals it) and the
// script itself. It needs only sh, grep and tr, so it runs inside the target with `docker exec` when the target has
// them (what one would type by hand, and no container start on the fault's path), and otherwise in a helper in the
// target's PID namespace. Exit 3: nothing matched.
const FIND_AND_KILL = `
pat=$1; sig=$2; full=$3; pids=""; found=""
for d in /proc/[0-9]*; do
    pid=\${d#/proc/}
    [ "$pid" = "$$" ] && continue
    if [ "$full" = true ]; then name=$(tr '\\000' ' ' < "$d/cmdline" 2>/dev/null) || continue; name=\${name% }
    else read -r name < "$d/comm" 2>/dev/null || continue; fi
    [ -n "$name" ] || continue
    printf '%s\\n' "$name" | grep -Eq -- "$pat" || continue
    echo "$pid $name"; found=1
    [ "$pid" = 1 ] || pids="$pids $pid"
done
[ -n "$found" ] || exit 3
[ -z "$pids" ] || kill -s "$sig" $pids
`;

/** Exit codes of a command that could not run: 126 (no `sh` to exec in the target), 127 (`grep` or `tr` missing). */
const CANNOT_RUN = [126, 127];

/** Finds and signals the processes matching the pattern in a container; what matched (pid and name). */
async function findAndKill(c: ContainerRun, r: Pick<ProcessKillRecord, "process" | "fullCommand" | "signal">, ctx: DriverContext) {
    const args = ["sh", "-c", FIND_AND_KILL, "sh", r.process, r.signal.replace(/^SIG/, ""), String(r.fullCommand)];
    // Root in the target, so that its processes of any user can be signalled.
    let res = await execInContainer(c.id, args, { user: "0" }).catch(() => undefined);
    if (!res || CANNOT_RUN.includes(res.exitCode)) {
        res = await runInNamespaces(c.id, args, { owner: ctx.owner, pid: true, capAdd: ["KILL"] });
    }
    if (res.exitCode === 3) {
        throw new FaultError(
            "spec.process",
            `no process matching "${r.process}" in container "${c.name}"; list its processes with ` +
                `\`docker top ${c.name}\`${r.fullCommand ? "" : " (or set fullCommand: true to match command lines)"}`,
        );
    }
    if (res.exitCode !== 0 && !/No such process/i.test(res.stderr)) {
        throw new FaultError("spec.process", `finding or killing the processes failed in container "${c.name}" (exit ${res.exitCode}): ${res.stderr.trim()}`);
    }
    return res.stdout
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => {
            const [pid, ...name] = l.trim().split(" ");
            return { pid: Number(pid), name: name.join(" ") };
        });
}

export const driver: FaultDriver<ProcessKillSpec, ProcessKillRecord, z.input<typeof ProcessKillSpec>> = {
    kind: "docker:process-kill",
    target: "docker",
    schema: ProcessKillSpec,

    describe: (spec) =>
        `send ${spec.signal} to the processes ${spec.fullCommand ? "whose command line matches" : "named like"} ` +
        `/${spec.process}/ in ${describeSelector(spec.target)}`,

    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => planContainers(spec.target),

    async prepare(spec) {
        // Only the containers and their runs: that is all revert needs (it starts a container whose main process
        // the kill took down), and the reaper is armed with it before any process is touched.
        const containers = (await inspectSelected(spec.target)).map((c) => ({ ...runOf(c), processes: [] }));
        return { process: spec.process, fullCommand: spec.fullCommand, signal: spec.signal, containers };
    },

    async apply(record, ctx) {
        await Promise.all(
            record.containers.map(async (c) => {
                // Filled in here, for the state Pulumi records after apply (the reaper's copy does not need it).
                c.processes = await findAndKill(c, record, ctx);
                if (c.processes.some((p) => p.pid === 1)) {
                    await dockerClient()
                        .getContainer(c.id)
                        .kill({ signal: record.signal })
                        .catch((err: { statusCode?: number }) => {
                            if (err.statusCode !== 409) throw err;
                        });
                }
            }),
        );
    },

    // Processes cannot be brought back; what can be undone is a container that stopped because its main process
    // was among them (and whose restart policy has not restarted it).
    revert: (record, ctx) => startLeftStopped(record.containers, ctx),

    async observe(record): Promise<Observation> {
        const down = await stillStopped(record.containers);
        return down.length > 0
            ? { active: true, detail: `main process killed, container down: ${down.join(", ")}` }
            : { active: false, detail: `no container is down from this process kill (${namesOf(record.containers)})` };
    },
};

/**
 * Kills processes by name inside containers, without any tool in the target image: a helper container from the
 * tools image joins the target's PID namespace, lists the matches with `pgrep` (recorded), and signals exactly those.
 * A match that is the container's main process (PID 1) is signalled through the engine, as `docker kill` does,
 * because PID 1 ignores signals from inside its own namespace.
 *
 * Killed processes cannot be brought back. If the kill took down the main process and the container is still
 * stopped, `pulumi destroy` (or the reaper after `ttl`) starts it; otherwise there is nothing to undo.
 *
 * ```ts
 * new ProcessKill("worker-crash", { target: { name: "api" }, process: "^worker$", ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "crash",
    component: "ProcessKill",
    up: "kills processes matching a pattern inside the container",
    revert: "restarts the container if the kill stopped it",
    docs: "[containers](docs/container-faults.md)",
    module: __filename,
    driver,
    fields: (spec) => ({ target: spec.target, process: spec.process, signal: spec.signal }),
});
