import { z } from "zod";
import { dockerClient } from "../../core/docker";
import { prepareThenApply, type DriverContext, type FaultDriver, type Observation } from "../../core/driver";
import { FaultError } from "../../core/errors";
import { inspectSelected, namesOf, runOf, startLeftStopped, stillStopped, type ContainerRun } from "../containers";
import { runInNamespaces } from "../helper";
import { containerTarget, describeSelector, planContainers } from "../selector";
import { Signal } from "../signal";

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

/** One container hit by a process kill: its run, and the processes that matched (pid and name, in its namespace). */
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

/** pgrep/pkill arguments for the pattern, after the options, with `--` so a pattern is never read as an option. */
function matchArgs(r: Pick<ProcessKillRecord, "process" | "fullCommand">): string[] {
    return [...(r.fullCommand ? ["-f"] : []), "--", r.process];
}

/** The processes matching the pattern in a container, via a helper in its PID namespace. */
async function matching(run: ContainerRun, r: Pick<ProcessKillRecord, "process" | "fullCommand">, ctx: DriverContext) {
    const res = await runInNamespaces(run.id, ["pgrep", "-l", ...matchArgs(r)], { owner: ctx.owner, pid: true });
    if (res.exitCode > 1) throw new FaultError("spec.process", `pgrep failed in container "${run.name}": ${res.stderr.trim()}`);
    return res.stdout
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => {
            const [pid, ...name] = l.trim().split(" ");
            return { pid: Number(pid), name: name.join(" ") };
        });
}

export const driver: FaultDriver<ProcessKillSpec, ProcessKillRecord> = {
    kind: "docker:process-kill",
    target: "docker",
    schema: ProcessKillSpec,

    describe: (spec) =>
        `send ${spec.signal} to the processes ${spec.fullCommand ? "whose command line matches" : "named like"} ` +
        `/${spec.process}/ in ${describeSelector(spec.target)}`,

    plan: (spec) => planContainers(spec.target),

    async prepare(spec, ctx) {
        const runs = (await inspectSelected(spec.target)).map(runOf);
        const containers = await Promise.all(runs.map(async (run) => ({ ...run, processes: await matching(run, spec, ctx) })));
        const none = containers.filter((c) => c.processes.length === 0);
        if (none.length > 0) {
            throw new FaultError(
                "spec.process",
                `no process matching "${spec.process}" in container "${none[0]!.name}"; list its processes with ` +
                    `\`docker top ${none[0]!.name}\`${spec.fullCommand ? "" : " (or set fullCommand: true to match command lines)"}`,
            );
        }
        return { process: spec.process, fullCommand: spec.fullCommand, signal: spec.signal, containers };
    },

    async apply(record, ctx) {
        await Promise.all(
            record.containers.map(async (c) => {
                // Exactly the processes recorded. The container's PID 1 ignores every signal it has no handler for
                // when the signal comes from inside its PID namespace (SIGKILL included), so it is signalled through
                // the engine, from outside, as `docker kill` does.
                const pids = c.processes.map((p) => p.pid).filter((pid) => pid !== 1);
                if (pids.length > 0) {
                    const res = await runInNamespaces(c.id, ["kill", "-s", record.signal.replace(/^SIG/, ""), ...pids.map(String)], {
                        owner: ctx.owner,
                        pid: true,
                        capAdd: ["KILL"],
                    });
                    // A process that exited since it was matched is fine; anything else is not.
                    if (res.exitCode !== 0 && !/No such process/i.test(res.stderr)) {
                        throw new FaultError("spec.process", `kill failed in container "${c.name}" (exit ${res.exitCode}): ${res.stderr.trim()}`);
                    }
                }
                if (c.processes.some((p) => p.pid === 1)) {
                    await dockerClient()
                        .getContainer(c.id)
                        .kill({ signal: record.signal })
                        .catch((err: { statusCode?: number }) => {
                            // 409: not running any more, which is where the kill was heading.
                            if (err.statusCode !== 409) throw err;
                        });
                }
            }),
        );
    },

    inject: (spec, ctx) => prepareThenApply(driver, spec, ctx),

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
