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
import { Command, Option } from "commander";
import { SpecError } from "../components/core/errors";
import { useFaultlineEnv } from "./env";
import { RunnerError } from "./errors";
import { findEvidence, readEvidence, writeMatrix, writeRun } from "./evidence/store";
import { writeJunit } from "./evidence/junit";
import { markdownMatrix } from "./evidence/report";
import { severityOf } from "./evidence/matrix";
import { acquireLock } from "./lock";
import { planExperiment, renderPlan } from "./plan";
import { liveResources, openStack } from "./pulumi";
import { recover } from "./recover";
import { redactText } from "./redact";
import { progressPrinter } from "./progress";
import { rollBack, runExperiment } from "./run";

const WORKER_ENV = "FAULTLINE_CLI_WORKER";

/** Prints an error the way users should see it (fields and fixes, no stack trace) and returns exit code 2. */
function fail(err: unknown, json: boolean): 2 {
    // Errors can quote a probe's or the load's URL: the same redaction as every other output.
    if (err instanceof Error) err.message = redactText(err.message);
    const payload =
        err instanceof SpecError
            ? { error: err.name, message: `invalid ${err.what}`, issues: err.issues }
            : { error: err instanceof Error ? err.name : "Error", message: err instanceof Error ? err.message : String(err) };
    if (json) process.stdout.write(JSON.stringify(payload, null, 2) + "\n");
    else if (err instanceof SpecError || err instanceof RunnerError) process.stderr.write(`error: ${err.message}\n`);
    else process.stderr.write(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 2;
}

function readExperimentFile(file: string | undefined): unknown {
    if (!file) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8"));
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
        const result = await withSignals((signal) =>
            runExperiment({
                stack,
                signal,
                onEvent: progressPrinter({ quiet: !!o.quiet }),
                ...(o.out ? { outDir: path.resolve(o.out) } : {}),
                ...(o.experiment ? { experiment: readExperimentFile(o.experiment) } : {}),
            }),
        );
        const e = result.evidence;
        if (o.junit) writeJunit(o.junit, [e]);
        const summary = {
            verdict: e.verdict,
            status: e.status,
            exit_code: e.exit_code,
            reason: e.reason,
            violations: e.violations,
            score: e.resilience_metrics.overall_score,
            severity: severityOf(e),
            recovery_time_ms: e.recovery_validation.recovery_time_ms,
            rollback: e.rollback.result,
            run_id: e.run_id,
            files: result.files,
        };
        if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
        else {
            process.stdout.write(`\n${e.verdict.toUpperCase()}${e.status !== "completed" ? ` (${e.status})` : ""}: ${e.reason}\n`);
            for (const v of e.violations.slice(1)) process.stdout.write(`  also: ${v}\n`);
            process.stdout.write(`score ${e.resilience_metrics.overall_score}/100 · severity ${summary.severity} · rollback ${e.rollback.result}\n`);
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
        const plan = await planExperiment({ stack, ...(o.experiment ? { experiment: readExperimentFile(o.experiment) } : {}) });
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
        const out = { runs: runs.map((e) => ({ run_id: e.run_id, experiment: e.experiment, component: e.component, verdict: e.verdict, severity: severityOf(e), score: e.resilience_metrics.overall_score })), written, invalid };
        if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + "\n");
        else {
            if (!o.matrix) for (const r of out.runs) process.stdout.write(`${r.run_id} ${r.experiment}: ${r.verdict} (${r.severity}, score ${r.score})\n`);
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

/** Builds the command-line program; `exit` receives each command's exit code. */
export function program(exit: (code: number) => void): Command {
    const cmd = new Command("faultline")
        .description("Chaos experiments as Pulumi stacks: plan, run with guaranteed rollback, recover, report.")
        .showHelpAfterError()
        .addHelpText("after", "\nExit codes: 0 hypothesis held (or success), 1 refuted, 2 aborted or error.");
    const json = new Option("--json", "print machine-readable JSON on stdout");
    cmd.command("plan")
        .description("show the experiment plan (hypothesis, blast radius, expected behaviour, verification steps) and the pulumi preview --diff of its faults")
        .argument("<stack>", "the experiment's stack (stacks/Pulumi.<stack>.yaml)")
        .option("--experiment <file>", "use this experiment (JSON) instead of the stack's config")
        .addOption(json)
        .action(async (stack: string, o) => exit(await cmdPlan(stack, o)));
    cmd.command("run")
        .description("run the experiment: policy check, steady state, inject, observe, roll back, verify recovery, verdict and evidence")
        .argument("<stack>", "the experiment's stack")
        .option("--experiment <file>", "use this experiment (JSON) instead of the stack's config")
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
    return cmd;
}

if (require.main === module) {
    try {
        useFaultlineEnv();
    } catch (err) {
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(2);
    }
    program((code) => {
        process.exitCode = code;
    })
        .parseAsync(process.argv)
        .catch((err: unknown) => {
            process.stderr.write(`error: ${String(err)}\n`);
            process.exitCode = 2;
        });
}
