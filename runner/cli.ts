#!/usr/bin/env node
// `faultline`: the game-day CLI. plan · run · rollback · recover · report. Exit codes: 0 hypothesis held (or
// success), 1 refuted, 2 aborted or error.
//
// `run` and `rollback` work in a child process of their own process group: a Ctrl-C in the terminal reaches only
// this supervisor, which forwards it. So the `pulumi destroy` of a rollback is never hit by the terminal's SIGINT,
// and closing the terminal does not stop a rollback half-way.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { SpecError } from "../components/core/errors";
import { HaltedError, refuseIfHalted } from "../components/core/halt";
import { INSTALL_ROOT, PROJECT_ROOT, useFaultlineEnv } from "./env";
import { initProject } from "./init";
import { faultlineVersion } from "./evidence/provenance";
import { RunnerError } from "./errors";
import { findEvidence, readEvidence, writeMatrix, writeRun } from "./evidence/store";
import { writeJunit } from "./evidence/junit";
import { figure, NOT_EVALUATED, OUTCOME_HEADLINE } from "./evidence/outcome";
import { headline, markdownMatrix, violationLine } from "./evidence/report";
import { severityOf } from "./evidence/matrix";
import { halt, haltStatus, release as releaseLever, type HaltReport } from "./halt";
import { acquireLock } from "./lock";
import { planExperiment, renderPlan } from "./plan";
import { checkStack, readExperimentFile, requirePath } from "./input";
import { liveResources, openStack } from "./pulumi";
import { recover } from "./recover";
import { redactText } from "./redact";
import { progressPrinter } from "./progress";
import { rollBack, runExperiment } from "./run";

const WORKER_ENV = "FAULTLINE_CLI_WORKER";

/**
 * Prints an error the way users should see it (fields and fixes, no stack trace) and returns exit code 2. A stack
 * trace is for developers: FAULTLINE_DEBUG=1 adds it.
 */
function fail(err: unknown, json: boolean): 2 {
    // Errors can quote a probe's or the load's URL: the same redaction as every other output.
    if (err instanceof Error) err.message = redactText(err.message);
    const payload =
        err instanceof SpecError
            ? { error: err.name, message: `invalid ${err.what}`, issues: err.issues }
            : { error: err instanceof Error ? err.name : "Error", message: err instanceof Error ? err.message : String(err) };
    if (json) process.stdout.write(JSON.stringify(payload, null, 2) + "\n");
    else if (err instanceof SpecError || err instanceof RunnerError || err instanceof HaltedError) process.stderr.write(`error: ${err.message}\n`);
    else process.stderr.write(`error: ${err instanceof Error ? (process.env.FAULTLINE_DEBUG ? err.stack : err.message) : String(err)}\n`);
    return 2;
}

/**
 * Runs `work` with an AbortSignal tied to SIGINT/SIGTERM (from the terminal through the supervisor, or sent to this
 * process directly) and to uncaught exceptions. The first one aborts; later ones only say that rollback is running:
 * nothing skips it.
 */
async function withSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ctl = new AbortController();
    let count = 0;
    const onSignal = (name: string) => {
        count++;
        if (count === 1) {
            process.stderr.write(`\n${name}: stopping the experiment and rolling back; this cannot be skipped\n`);
            ctl.abort(name);
        } else {
            process.stderr.write(`\n${name} again (${count}): rollback in progress, it is never skipped; faults also expire at their TTL\n`);
        }
    };
    const handlers = {
        SIGINT: () => onSignal("SIGINT"),
        SIGTERM: () => onSignal("SIGTERM"),
        SIGHUP: () => onSignal("SIGHUP"),
    };
    for (const [sig, h] of Object.entries(handlers)) process.on(sig, h);
    const onMessage = (m: unknown) => {
        if (m && typeof m === "object" && (m as { signal?: string }).signal) onSignal((m as { signal: string }).signal);
    };
    process.on("message", onMessage);
    const stopWatching = watchSupervisor((why) => onSignal(why));
    // Output that can no longer be written (the terminal or the pipe went away) must never stop a rollback: without
    // these listeners every write raises an EPIPE that would be reported, and written, as an uncaught exception.
    const ignore = () => undefined;
    process.stdout.on("error", ignore);
    process.stderr.on("error", ignore);
    const onCrash = (err: unknown) => {
        if ((err as NodeJS.ErrnoException)?.code === "EPIPE") return;
        process.stderr.write(`\nuncaught exception, rolling back: ${err instanceof Error ? err.stack : String(err)}\n`);
        if (!ctl.signal.aborted) ctl.abort(new Error(`uncaught exception: ${err instanceof Error ? err.message : String(err)}`));
    };
    process.on("uncaughtException", onCrash);
    process.on("unhandledRejection", onCrash);
    try {
        return await work(ctl.signal);
    } finally {
        for (const [sig, h] of Object.entries(handlers)) process.off(sig, h);
        process.off("message", onMessage);
        process.off("uncaughtException", onCrash);
        process.off("unhandledRejection", onCrash);
        stopWatching();
        // A supervisor that died has already closed the channel; disconnecting again would throw ERR_IPC_DISCONNECTED.
        if (process.connected) process.disconnect();
    }
}

/** How often a worker checks that its supervisor still exists (besides the IPC channel's 'disconnect' event). */
const SUPERVISOR_CHECK_MS = 500;

/**
 * In a worker (started by {@link supervise}, with an IPC channel), calls `onGone` once when the supervisor dies,
 * e.g. SIGKILLed: the channel closes ('disconnect') and the worker is re-parented (its ppid changes). The worker
 * then rolls back at once, as on SIGTERM, instead of keeping the faults in for the rest of the window with nobody
 * left to report to. A no-op in a process without a supervisor. Returns a function that stops watching.
 */
export function watchSupervisor(onGone: (why: string) => void): () => void {
    if (!process.send) return () => undefined;
    const supervisor = process.ppid;
    let gone = false;
    const fire = (how: string) => {
        if (gone) return;
        gone = true;
        onGone(`supervisor (pid ${supervisor}) ${how}`);
    };
    const onDisconnect = () => fire("is gone: its IPC channel closed");
    process.on("disconnect", onDisconnect);
    const timer = setInterval(() => {
        if (process.ppid !== supervisor) fire("is gone: this worker was re-parented");
    }, SUPERVISOR_CHECK_MS);
    timer.unref();
    return () => {
        process.off("disconnect", onDisconnect);
        clearInterval(timer);
    };
}

/** Re-runs this command in a detached child (its own process group) and forwards signals to it. */
function supervise(argv: string[]): Promise<number> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [...process.execArgv, __filename, ...argv], {
            detached: true,
            stdio: ["inherit", "inherit", "inherit", "ipc"],
            env: { ...process.env, [WORKER_ENV]: "1" },
        });
        const forward = (signal: NodeJS.Signals) => () => {
            if (child.connected) child.send({ signal });
            else child.kill(signal);
        };
        const handlers: Array<[NodeJS.Signals, () => void]> = [
            ["SIGINT", forward("SIGINT")],
            ["SIGTERM", forward("SIGTERM")],
            ["SIGHUP", forward("SIGHUP")],
        ];
        for (const [s, h] of handlers) process.on(s, h);
        child.on("exit", (code, sig) => {
            for (const [s, h] of handlers) process.off(s, h);
            resolve(code ?? (sig ? 2 : 0));
        });
    });
}

async function cmdRun(stack: string, o: { json?: boolean; out?: string; experiment?: string; quiet?: boolean; junit?: string }): Promise<number> {
    try {
        checkStack(stack, !!o.experiment);
        const experiment = o.experiment ? readExperimentFile(o.experiment) : undefined;
        const result = await withSignals((signal) =>
            runExperiment({
                stack,
                signal,
                onEvent: progressPrinter({ quiet: !!o.quiet }),
                ...(o.out ? { outDir: path.resolve(o.out) } : {}),
                ...(experiment !== undefined ? { experiment } : {}),
            }),
        );
        const e = result.evidence;
        if (o.junit) writeJunit(o.junit, [e]);
        const summary = {
            verdict: e.verdict,
            outcome: e.outcome,
            status: e.status,
            exit_code: e.exit_code,
            reason: e.reason,
            violations: e.violations,
            policy_violations: e.policy_violations,
            score: e.resilience_metrics.overall_score,
            severity: severityOf(e),
            recovery_time_ms: e.recovery_validation.recovery_time_ms,
            rollback: e.rollback.result,
            run_id: e.run_id,
            files: result.files,
        };
        if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
        else {
            process.stdout.write(`\n${headline(e)}: ${e.reason}\n`);
            for (const v of e.violations.slice(1)) process.stdout.write(`  also: ${v}\n`);
            for (const v of e.policy_violations) process.stdout.write(`  policy: ${violationLine(v)}\n`);
            process.stdout.write(`score ${figure(e.outcome, e.resilience_metrics.overall_score, (v) => `${v}/100`)} · recovery ${figure(e.outcome, e.recovery_validation.recovery_time_ms, (v) => (v === null ? "none" : `${Math.round(v)} ms`))} · severity ${summary.severity} · rollback ${e.rollback.result}\n`);
            process.stdout.write(`evidence: ${result.files.evidence}\nreports:  ${result.files.markdown}\n          ${result.files.html}\n`);
        }
        return result.exitCode;
    } catch (err) {
        return fail(err, !!o.json);
    }
}

async function cmdRollback(stackName: string, o: { json?: boolean }): Promise<number> {
    let release: (() => void) | undefined;
    try {
        release = acquireLock(stackName, "faultline rollback");
        const stack = await openStack(stackName);
        const before = (await liveResources(stack)).length;
        const r = await withSignals(() => rollBack(stack, false, (m) => process.stderr.write(`${m}\n`)));
        const out = { stack: stackName, faults_before: before, ...r };
        if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + "\n");
        else process.stdout.write(`rollback of ${stackName}: ${r.result} (${before} resources before; ${r.attempts} attempt(s)${r.cleared_pending_creates ? "; pending creates cleared" : ""})${r.error ? `: ${r.error}` : ""}\n`);
        return r.result === "failed" ? 2 : 0;
    } catch (err) {
        return fail(err, !!o.json);
    } finally {
        release?.();
    }
}

async function cmdPlan(stack: string, o: { json?: boolean; experiment?: string }): Promise<number> {
    try {
        checkStack(stack, !!o.experiment);
        const experiment = o.experiment ? readExperimentFile(o.experiment) : undefined;
        await refuseIfHalted();
        const plan = await planExperiment({ stack, ...(experiment !== undefined ? { experiment } : {}) });
        if (o.json) process.stdout.write(JSON.stringify(plan, null, 2) + "\n");
        else process.stdout.write(renderPlan(plan) + "\n");
        return plan.policy.passed && plan.blastRadius.withinLimit ? 0 : 2;
    } catch (err) {
        return fail(err, !!o.json);
    }
}

async function cmdRecover(o: { json?: boolean; stack?: string; includeUnknownStacks?: boolean; dryRun?: boolean }): Promise<number> {
    try {
        const r = await recover({
            ...(o.stack ? { stack: o.stack } : {}),
            includeUnknownStacks: !!o.includeUnknownStacks,
            dryRun: !!o.dryRun,
            onEvent: (m) => process.stderr.write(`${m}\n`),
        });
        if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
        else printRecovery(r);
        // 0 only when every stack is clean and usable: nothing left, nothing failed.
        return r.left.length > 0 || r.stacks.some((s) => s.action === "failed") || [...r.reapers, ...r.leases].some((x) => x.outcome === "failed") ? 2 : 0;
    } catch (err) {
        return fail(err, !!o.json);
    }
}

/** The human form of a recover report: what was done, then what is left and what to do. */
function printRecovery(r: Awaited<ReturnType<typeof recover>>): void {
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const done = r.locks.length + r.stacks.length + r.reapers.length + r.leases.length + r.repairs.length;
    if (done === 0 && r.left.length === 0) {
        out("nothing to recover: no stack holds faults or locks, no reaper is orphaned or stopped");
    }
    for (const l of r.locks) out(`${l.kind === "pulumi" ? `stack ${l.stack}` : "runner"} lock: ${l.detail}`);
    for (const s of r.stacks) out(`stack ${s.stack}: ${s.action} (${s.detail})`);
    for (const x of r.reapers) out(`reaper ${x.name}: ${x.outcome} (${x.detail})`);
    for (const x of r.leases) out(`lease ${x.lease}: ${x.outcome} (${x.detail})`);
    for (const x of r.repairs) out(`reaper ${x.name} (was ${x.state}): ${x.action} (${x.detail})`);
    if (r.left.length > 0) {
        out(`NOT RECOVERED: ${r.left.length} thing(s) left`);
        for (const l of r.left) out(`  ${l}`);
    } else if (done > 0) {
        out("recovered: every stack is clean and unlocked, and no reaper is left stopped");
    }
}

async function cmdReport(paths: string[], o: { json?: boolean; matrix?: boolean; out?: string; junit?: string }): Promise<number> {
    try {
        const runs = [];
        const invalid: Array<{ file: string; error: string }> = [];
        for (const p of paths) {
            requirePath(p);
            const abs = path.resolve(p);
            if (fs.statSync(abs).isDirectory()) {
                const found = findEvidence(abs);
                runs.push(...found.runs);
                invalid.push(...found.invalid);
            } else runs.push(readEvidence(abs));
        }
        if (runs.length === 0) throw new RunnerError(`no evidence.json found under ${paths.join(", ")}`);
        const written: string[] = [];
        if (o.junit) written.push(writeJunit(o.junit, runs));
        else if (o.matrix) {
            const dir = path.resolve(o.out ?? (fs.statSync(path.resolve(paths[0]!)).isDirectory() ? paths[0]! : path.dirname(paths[0]!)));
            const m = writeMatrix(dir, runs);
            written.push(m.markdown, m.html);
            if (!o.json) process.stdout.write(markdownMatrix(runs) + "\n");
        } else {
            for (const e of runs) {
                const dir = o.out ? path.resolve(o.out, e.run_id) : undefined;
                const files = writeRun(dir ?? path.join(path.resolve(paths[0]!).endsWith("evidence.json") ? path.dirname(path.resolve(paths[0]!)) : findRunDir(paths, e.run_id)), e);
                written.push(files.markdown, files.html);
            }
        }
        const out = { runs: runs.map((e) => ({ run_id: e.run_id, experiment: e.experiment, component: e.component, verdict: e.verdict, outcome: e.outcome, severity: severityOf(e), score: e.resilience_metrics.overall_score })), written, invalid };
        if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + "\n");
        else {
            if (!o.matrix) for (const r of out.runs) process.stdout.write(`${r.run_id} ${r.experiment}: ${OUTCOME_HEADLINE[r.outcome]} (${r.severity}, score ${r.score ?? NOT_EVALUATED})\n`);
            for (const w of written) process.stdout.write(`wrote ${w}\n`);
            for (const i of invalid) process.stderr.write(`warning: ${i.file} is not valid evidence: ${i.error}\n`);
        }
        return 0;
    } catch (err) {
        return fail(err, !!o.json);
    }
}

/** The directory of run `runId` under the given paths (where its evidence.json is). */
function findRunDir(paths: string[], runId: string): string {
    for (const p of paths) {
        const stack: string[] = [path.resolve(p)];
        while (stack.length) {
            const dir = stack.pop()!;
            const ev = path.join(dir, "evidence.json");
            if (fs.existsSync(ev) && (JSON.parse(fs.readFileSync(ev, "utf8")) as { run_id?: string }).run_id === runId) return dir;
            for (const d of fs.readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) stack.push(path.join(dir, d.name));
        }
    }
    throw new RunnerError(`run ${runId} not found`);
}

async function cmdHalt(o: { json?: boolean; release?: boolean; status?: boolean; reason?: string }): Promise<number> {
    try {
        const print = (obj: unknown, text: string) => process.stdout.write(o.json ? JSON.stringify(obj, null, 2) + "\n" : `${text}\n`);
        if (o.status) {
            const s = await haltStatus();
            print(s, s.lever ? `halted: pulled by ${s.lever.by} at ${s.lever.at}${s.lever.reason ? ` (${s.lever.reason})` : ""}; release with \`faultline halt --release\`` : "not halted: runs and injections are allowed");
            return 0;
        }
        if (o.release) {
            const r = await releaseLever();
            print(r, r.lever ? `released the halt pulled by ${r.lever.by} at ${r.lever.at}; runs and injections are allowed again` : "not halted: nothing to release");
            return 0;
        }
        const r = await halt({ ...(o.reason ? { reason: o.reason } : {}), onEvent: (m) => process.stderr.write(`${m}\n`) });
        if (o.json) print(r, "");
        else printHalt(r);
        return r.left.length > 0 ? 2 : 0;
    } catch (err) {
        return fail(err, !!o.json);
    }
}

/** The human form of a halt report. */
function printHalt(r: HaltReport): void {
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`HALTED by ${r.lever.by} at ${r.lever.at}${r.lever.reason ? ` (${r.lever.reason})` : ""}${r.engagedNow ? "" : " (already engaged)"}: every up, run and plan refuses until \`faultline halt --release\``);
    for (const d of r.docker) out(`docker fault "${d.fault}" (${d.kind}) of stack ${d.stack}: ${d.outcome}`);
    out(`kubernetes: ${r.kubernetes.detail}`);
    for (const l of r.kubernetes.leases) out(`kubernetes fault "${l.fault}" of stack ${l.stack}: ${l.detail}`);
    for (const s of r.stacks) out(`stack ${s.stack}: ${s.action} (${s.detail})`);
    const reverted = r.docker.filter((d) => d.outcome !== "failed").length + r.kubernetes.leases.filter((l) => l.outcome !== "failed").length;
    if (r.left.length === 0) out(`${reverted} fault(s) reverted; nothing left in`);
    else {
        out(`NOT HALTED COMPLETELY: ${r.left.length} thing(s) left`);
        for (const l of r.left) out(`  ${l}`);
    }
}

/**
 * The exit code of an error thrown out of the command line's parsing: 0 for --help and --version, 2 for a usage
 * error (commander has already printed it, with the help), 2 with one line for anything else.
 */
export function usageExitCode(err: unknown): 0 | 2 {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
}

/** Builds the command-line program; `exit` receives each command's exit code. */
export function program(exit: (code: number) => void): Command {
    const cmd = new Command("faultline")
        .description("Chaos experiments as Pulumi stacks: plan, run with guaranteed rollback, recover, report.")
        .showHelpAfterError()
        // Commander exits 1 on a usage error, which is the code for "refuted": it throws instead, and the caller exits
        // 2 (subcommands inherit this).
        .exitOverride()
        .addHelpText("after", "\nExit codes: 0 hypothesis held (or success), 1 refuted, 2 aborted or error.");
    cmd.version(faultlineVersion(), "-V, --version", "print faultline's version");
    // Only the commands that drive Pulumi need the environment setup resolved; --help, --version, init and setup
    // work on a fresh install.
    cmd.hook("preAction", (_root, action) => {
        if (!NO_ENGINE_COMMANDS.has(action.name())) useFaultlineEnv();
    });
    const json = new Option("--json", "print machine-readable JSON on stdout");
    addProjectCommands(cmd, exit);
    cmd.command("plan")
        .description("show the experiment plan (hypothesis, blast radius, expected behaviour, verification steps) and the pulumi preview --diff of its faults")
        .argument("<stack>", "the experiment's stack (stacks/Pulumi.<stack>.yaml)")
        .option("--experiment <file>", "use this experiment (YAML or JSON) from a temporary copy instead of the stack's config; the stack's file is not changed")
        .addOption(json)
        .action(async (stack: string, o) => exit(await cmdPlan(stack, o)));
    cmd.command("run")
        .description("run the experiment: policy check, steady state, inject, observe, roll back, verify recovery, verdict and evidence")
        .argument("<stack>", "the experiment's stack")
        .option("--experiment <file>", "use this experiment (YAML or JSON) from a temporary copy instead of the stack's config; the stack's file is not changed")
        .option("--out <dir>", "where to write evidence.json and the reports (default .faultline/runs/<stack>/<run id>)")
        .option("--quiet", "no progress on stderr")
        .option("--junit <file>", "also write the verdict as JUnit XML (one test case; refuted = failure, aborted = error)")
        .addOption(json)
        .action(async (stack: string, o) => exit(process.env[WORKER_ENV] ? await cmdRun(stack, o) : await supervise(process.argv.slice(2))));
    cmd.command("rollback")
        .description("destroy a stack's faults now (clearing pending creates and orphaned reapers)")
        .argument("<stack>", "the experiment's stack")
        .addOption(json)
        .action(async (stack: string, o) => exit(process.env[WORKER_ENV] ? await cmdRollback(stack, o) : await supervise(process.argv.slice(2))));
    cmd.command("recover")
        .description("find and roll back faults left by crashed runs: stacks still holding faults, and orphaned reaper containers")
        .option("--stack <stack>", "only this stack")
        .option("--include-unknown-stacks", "also revert reapers of stacks this backend does not know (other checkouts on the same engine)")
        .option("--dry-run", "list what would be done, change nothing")
        .addOption(json)
        .action(async (o) => exit(await cmdRecover(o)));
    cmd.command("report")
        .description("re-render report.md and report.html from evidence, or the failure-mode matrix across runs (--matrix)")
        .argument("<paths...>", "evidence.json files or directories holding runs (e.g. .faultline/runs)")
        .option("--matrix", "write matrix.md and matrix.html: scenario x component -> verdict and severity")
        .option("--out <dir>", "where to write (default: next to the evidence)")
        .option("--junit <file>", "write JUnit XML instead: one test case per experiment (its latest run)")
        .addOption(json)
        .action(async (paths: string[], o) => exit(await cmdReport(paths, o)));
    cmd.command("halt")
        .description("the safety lever: revert every fault of every stack on this Docker engine (and the cluster KUBECONFIG reaches), then refuse every up, run and plan until --release")
        .option("--reason <text>", "why; shown to everyone the lever refuses")
        .option("--status", "say whether the lever is engaged, by whom and when; change nothing")
        .option("--release", "release the lever: runs and injections are allowed again")
        .addOption(json)
        .action(async (o) => exit(await cmdHalt(o)));
    return cmd;
}

/** The commands that run without Pulumi's environment (see the preAction hook in {@link program}). */
const NO_ENGINE_COMMANDS = new Set(["init", "setup"]);

/** `init` and `setup`: make the working directory a faultline project, and set up Pulumi for it. */
function addProjectCommands(cmd: Command, exit: (code: number) => void): void {
    cmd.command("init")
        .description("scaffold a faultline project here: Pulumi.yaml (faultline's compiled program), experiments/first.yaml, .faultline/state and .gitignore lines; never overwrites a file")
        .option("--container <name>", "the container the first experiment pauses", "my-service")
        .action((o: { container: string }) => {
            const r = initProject({ container: o.container });
            for (const f of r.written) process.stdout.write(`wrote ${path.relative(process.cwd(), f)}\n`);
            for (const f of r.kept) process.stdout.write(`kept ${path.relative(process.cwd(), f)} (already there)\n`);
            process.stdout.write("next: npx faultline setup, then npx faultline plan first --experiment experiments/first.yaml\n");
            exit(0);
        });
    cmd.command("setup")
        .description("find or build the Pulumi CLI faultline needs (cached in ~/.cache/faultline) and write this project's .faultline/env")
        .action(async () => {
            const child = spawn("bash", [path.join(INSTALL_ROOT, "scripts", "setup-project.sh"), PROJECT_ROOT], { stdio: "inherit" });
            exit(await new Promise<number>((resolve) => child.on("close", (code) => resolve(code === 0 ? 0 : 2))));
        });
}

/** Runs the command line (bin/faultline, and this file run directly); sets the process's exit code. */
export function main(argv: string[] = process.argv): void {
    program((code) => {
        process.exitCode = code;
    })
        .parseAsync(argv)
        .catch((err: unknown) => {
            process.exitCode = usageExitCode(err);
        });
}

if (require.main === module) main();
