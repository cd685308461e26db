// The live progress printer: load errors and probe failures apart; a line every 5 s when stderr is not a terminal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { progressLine, progressPrinter } from "../../runner/progress";
import type { RunEvent } from "../../runner/run";

const progress = (elapsedMs: number): Extract<RunEvent, { type: "progress" }> => ({
    type: "progress",
    phase: "fault",
    elapsedMs,
    totalMs: 20_000,
    probes: { samples: 10, failed: 0 },
    load: { requests: 40, failed: 40 },
});

describe("progress", () => {
    it("shows load errors and probe failures apart", () => {
        assert.equal(progressLine(progress(10_000)), "          fault     [##########..........] 10/20 s  load errors last second: 40/40  probe failures last second: 0/10");
        assert.equal(progressLine({ ...progress(0), load: null }), "          fault     [....................] 0/20 s  probe failures last second: 0/10");
    });

    it("writes a line every 5 s, not every second, when the output is not a terminal", () => {
        const lines: string[] = [];
        let now = 0;
        const out = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
        const print = progressPrinter({ out, now: () => now });
        for (let s = 1; s <= 12; s++) {
            now = s * 1000;
            print(progress(s * 1000));
        }
        assert.deepEqual(lines.map((l) => /\] (\d+)\/20 s/.exec(l)?.[1]), ["1", "6", "11"]);
        print({ type: "phase", phase: "rollback", t: 12_345, message: "rolling back" });
        assert.equal(lines.at(-1), "[  12.3s] rollback  rolling back\n");
    });

    it("on a terminal, draws a live bar (cli-progress) and clears it before the next line", () => {
        let screen = "";
        const out = {
            isTTY: true,
            columns: 200,
            write: (x: string) => ((screen += x), true),
            cursorTo: () => true,
            clearLine: () => true,
            clearScreenDown: () => true,
            moveCursor: () => true,
        } as unknown as NodeJS.WriteStream;
        const print = progressPrinter({ out });
        print(progress(10_000));
        assert.ok(screen.includes(progressLine(progress(10_000))), `the bar as logged: ${JSON.stringify(screen)}`);
        print({ type: "phase", phase: "rollback", t: 12_345, message: "rolling back" });
        assert.ok(screen.endsWith("[  12.3s] rollback  rolling back\n"), JSON.stringify(screen.slice(-80)));
    });
});
