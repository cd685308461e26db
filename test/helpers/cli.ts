// The faultline CLI as a child process, for real-engine tests of the runner.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../runner/env";
import { teardownRunStack } from "./faults";

/**
 * The CLI entry point users run: compiled JavaScript (dist/, which scripts/test.sh builds before the tiers, and which
 * the entry rebuilds when a source is newer). Through tsx the supervisor and its worker each compiled the runner
 * again: 2-3 s of CPU per CLI start.
 */
export const CLI = path.join(PROJECT_ROOT, "bin", "faultline");

/** A CLI process: its output so far, and a way to wait for a line on stderr. */
export interface Cli {
    child: ChildProcess;
    stdout: () => string;
    stderr: () => string;
    exit: Promise<number>;
    waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts `faultline <args>` (the supervisor, which forks its worker) with piped output. */
export function cli(args: string[]): Cli {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    return {
        child,
        stdout: () => out,
        stderr: () => err,
        exit,
        async waitFor(re, timeoutMs = 300_000) {
            const start = Date.now();
            while (!re.test(err)) {
                if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${re} on stderr:\n${err}`);
                if (child.exitCode !== null) throw new Error(`the CLI exited (${child.exitCode}) before ${re}:\n${err}\n${out}`);
                await new Promise((r) => setTimeout(r, 200));
            }
        },
    };
}


/** One experiment of a CLI test: its stack, its experiment file and a directory for the run's evidence. */
export interface CliCase {
    stack: string;
    file: string;
    out: string;
}

/** The experiment files and stacks of one CLI test file (see {@link cliCases}). */
export interface CliCases {
    /** The temporary directory holding the experiment files and the evidence directories. */
    tmp: string;
    /** Every stack handed out so far. */
    stacks: string[];
    /** Writes `experiment` to a file and names a fresh stack `test-<prefix>-<kind>-<run>` for it. */
    setup(kind: string, experiment: unknown): CliCase;
    /** Cancels, destroys and removes every stack handed out (and its runner lock), then the temporary directory. */
    cleanup(): Promise<void>;
}

/** Fresh stacks and experiment files for CLI tests, all torn down by `cleanup()` in the test's `after`. */
export function cliCases(prefix: string, run: string): CliCases {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `faultline-${prefix}-`));
    const stacks: string[] = [];
    return {
        tmp,
        stacks,
        setup(kind, experiment) {
            const stack = `test-${prefix}-${kind}-${run}`;
            stacks.push(stack);
            const file = path.join(tmp, `${kind}.json`);
            fs.writeFileSync(file, JSON.stringify(experiment));
            return { stack, file, out: path.join(tmp, `out-${kind}`) };
        },
        async cleanup() {
            // A run whose worker was SIGKILLed leaves its update's lock: teardownRunStack cancels it first.
            for (const name of stacks) await teardownRunStack(name);
            fs.rmSync(tmp, { recursive: true, force: true });
        },
    };
}
