// Live progress of a run on stderr: a line per phase, then a live bar on a terminal (cli-progress), or a line every
// 5 s when stderr is a file or a pipe (CI logs), so a long wait is never silent. Load errors and probe failures are
// shown apart: they are different signals (a probe can pass while a tenth of the load fails).
import { SingleBar } from "cli-progress";
import type { RunEvent } from "./run";

type ProgressEvent = Extract<RunEvent, { type: "progress" }>;

/** How often a non-terminal stderr gets a progress line. */
export const LOG_PROGRESS_EVERY_MS = 5000;

/** What a progress line says besides its bar, as cli-progress's payload. */
function payloadOf(e: ProgressEvent) {
    return {
        phase: e.phase.padEnd(9),
        seconds: `${(e.elapsedMs / 1000).toFixed(0)}/${(e.totalMs / 1000).toFixed(0)} s`,
        load: e.load ? `  load errors last second: ${e.load.failed}/${e.load.requests}` : "",
        probes: `${e.probes.failed}/${e.probes.samples}`,
    };
}

/** The line's layout, in cli-progress's format (the same for the live bar and the logged line). */
const FORMAT = "          {phase} [{bar}] {seconds}{load}  probe failures last second: {probes}";

/** The progress line of one `progress` event, as written to a log (the live bar looks the same). */
export function progressLine(e: ProgressEvent): string {
    const frac = e.totalMs > 0 ? Math.min(1, e.elapsedMs / e.totalMs) : 1;
    const fields: Record<string, string> = { ...payloadOf(e), bar: "#".repeat(Math.round(frac * 20)).padEnd(20, ".") };
    return FORMAT.replace(/\{(\w+)\}/g, (_, k: string) => fields[k] ?? "");
}

/**
 * cli-progress's bar, except that its redraw timer does not keep the process alive: a run that ends without a last
 * event must still exit.
 */
class LiveBar extends SingleBar {
    override render(): void {
        super.render();
        (this as unknown as { timer?: NodeJS.Timeout | null }).timer?.unref();
    }
}

/** A live bar on `out`, started at the first progress event and cleared before any other line. */
function liveBar(out: NodeJS.WriteStream) {
    let bar: LiveBar | undefined;
    return {
        show(e: ProgressEvent) {
            bar ??= new LiveBar({ format: FORMAT, stream: out, barsize: 20, barCompleteChar: "#", barIncompleteChar: ".", clearOnComplete: true, hideCursor: false, gracefulExit: false });
            const total = Math.max(1, e.totalMs);
            const value = Math.min(e.elapsedMs, total);
            if (!bar.isActive) return bar.start(total, value, payloadOf(e));
            bar.setTotal(total);
            bar.update(value, payloadOf(e));
        },
        clear() {
            if (bar?.isActive) bar.stop();
        },
    };
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
    const live = out.isTTY === true ? liveBar(out) : undefined;
    let lastLine = -Infinity;
    const clear = () => live?.clear();
    return (e) => {
        if (opts.quiet || e.type === "sample") return;
        if (e.type === "phase") {
            clear();
            out.write(`[${(e.t / 1000).toFixed(1).padStart(6)}s] ${e.phase.padEnd(9)} ${e.message}\n`);
        } else if (e.type === "progress") {
            if (live) live.show(e);
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
