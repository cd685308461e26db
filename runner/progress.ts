// Live progress of a run on stderr: a line per phase, then a live line on a terminal, or a line every 5 s when stderr
// is a file or a pipe (CI logs), so a long wait is never silent. Load errors and probe failures are shown apart:
// they are different signals (a probe can pass while a tenth of the load fails).
import type { RunEvent } from "./run";

/** How often a non-terminal stderr gets a progress line. */
export const LOG_PROGRESS_EVERY_MS = 5000;

/** The progress line of one `progress` event. */
export function progressLine(e: Extract<RunEvent, { type: "progress" }>): string {
    const frac = e.totalMs > 0 ? Math.min(1, e.elapsedMs / e.totalMs) : 1;
    const bar = "#".repeat(Math.round(frac * 20)).padEnd(20, ".");
    const load = e.load ? `  load errors last second: ${e.load.failed}/${e.load.requests}` : "";
    return `          ${e.phase.padEnd(9)} [${bar}] ${(e.elapsedMs / 1000).toFixed(0)}/${(e.totalMs / 1000).toFixed(0)} s${load}  probe failures last second: ${e.probes.failed}/${e.probes.samples}`;
}

/** Options of {@link progressPrinter}. */
export interface ProgressOptions {
    /** Print nothing. */
    quiet?: boolean;
    /** Where to write. Defaults to process.stderr. */
    out?: NodeJS.WriteStream;
    /** The clock for the 5 s cadence (epoch ms). Defaults to Date.now. */
    now?: () => number;
}

/** A run's `onEvent` that prints its progress: a live line on a terminal, a line every 5 s otherwise. */
export function progressPrinter(opts: ProgressOptions = {}): (e: RunEvent) => void {
    const out = opts.out ?? process.stderr;
    const now = opts.now ?? Date.now;
    const tty = out.isTTY === true;
    let lastLine = -Infinity;
    const clear = () => tty && out.write("\r\x1b[K");
    return (e) => {
        if (opts.quiet || e.type === "sample") return;
        if (e.type === "phase") {
            clear();
            out.write(`[${(e.t / 1000).toFixed(1).padStart(6)}s] ${e.phase.padEnd(9)} ${e.message}\n`);
        } else if (e.type === "progress") {
            if (tty) out.write(`\r\x1b[K${progressLine(e)}`);
            else if (now() - lastLine >= LOG_PROGRESS_EVERY_MS) {
                lastLine = now();
                out.write(progressLine(e) + "\n");
            }
        } else if (e.type === "stop") {
            clear();
            out.write(`          STOP CONDITION: ${e.trigger.message}; rolling back now\n`);
        } else {
            clear();
            out.write(`          ${e.level === "warn" ? "warning: " : ""}${e.message}\n`);
        }
    };
}
