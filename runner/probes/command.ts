import { execFile } from "node:child_process";
import type { z } from "zod";
import { execInContainer } from "../../components/core/docker";
import type { CommandProbeSpec } from "../../spec/probe";
import { errorDetail, timedProbe, type Probe } from "./types";

/** The first number in a command's output, which becomes the sample's value (e.g. a count). */
function firstNumber(text: string): number | undefined {
    const m = /-?\d+(?:\.\d+)?/.exec(text);
    return m ? Number(m[0]) : undefined;
}

/** Runs argv on this machine, bounded by `timeoutMs`; the exit code is -1 when it was killed or could not start. */
function runHere(argv: string[], timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string; error?: string }> {
    return new Promise((resolve) => {
        execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 1024 * 1024, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
            if (!err) return resolve({ exitCode: 0, stdout, stderr });
            const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
            if (typeof e.code === "number") return resolve({ exitCode: e.code, stdout, stderr });
            resolve({ exitCode: -1, stdout, stderr, error: e.killed ? `timed out after ${timeoutMs} ms` : errorDetail(err, timeoutMs) });
        });
    });
}

/**
 * A command probe: a program on this machine, or inside a container (like `docker exec`). Passes on the expected
 * exit code and, if set, output matching `outputMatches`.
 */
export function commandProbe(spec: z.output<typeof CommandProbeSpec> & { name: string }): Probe {
    const outRe = spec.outputMatches ? new RegExp(spec.outputMatches) : undefined;
    return timedProbe(
        spec,
        (): Promise<{ exitCode: number; stdout: string; stderr: string; error?: string }> =>
            spec.container ? execInContainer(spec.container, spec.command, { timeoutMs: spec.timeout }) : runHere(spec.command, spec.timeout),
        (r, latencyMs) => {
            if (r.error) return { ok: false, latencyMs, detail: r.error };
            const problems: string[] = [];
            if (r.exitCode !== spec.exitCode) problems.push(`exit code ${r.exitCode}, expected ${spec.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split("\n")[0]}` : ""}`);
            if (outRe && !outRe.test(r.stdout)) problems.push(`output does not match /${spec.outputMatches}/`);
            const value = firstNumber(r.stdout);
            return { ok: problems.length === 0, latencyMs, ...(value !== undefined ? { value } : {}), detail: problems.join("; ") || `exit code ${r.exitCode}` };
        },
    );
}
