// The faultline CLI as a child process, for real-engine tests of the runner.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../runner/env";

/** The CLI entry point. */
export const CLI = path.join(PROJECT_ROOT, "runner", "cli.ts");

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
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
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

