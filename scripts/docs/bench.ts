// Rewrites the README's runner benchmark figures from the JSON the benchmarks wrote, between the markers
// <!-- bench:runner:begin --> and <!-- bench:runner:end -->, so the README's figures are never typed by hand:
//   npm run bench:runner -- --overhead-only --json docs/bench-runner.json
//   npm run bench:scale -- --json docs/bench-scale.json
//   npm run docs:bench
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { replaceBetween } from "./faults";

/** The markers around the generated figures. */
export const BENCH_MARKERS = { begin: "<!-- bench:runner:begin -->", end: "<!-- bench:runner:end -->" } as const;

/** What scripts/bench/runner.ts --json writes (milliseconds). */
interface RunnerFigures {
    date: string;
    cores: number;
    loadBefore: number;
    loadAfter: number;
    overheadMs: number;
    phases: Record<string, number>;
    outsidePhasesMs: number;
    floorMs: number;
    pulumiMs: number;
    chaostoolkit?: string;
    ctkOverheadMs?: number;
    /** Every pair of runs (faultline, floor) the figures above are the medians of. */
    runs?: Array<{ overheadMs: number; ratio: number }>;
}

/** What scripts/bench/scale.ts --json writes (milliseconds). */
interface ScaleFigures {
    date: string;
    loadBefore: number;
    loadAfter: number;
    rows: Array<{ faults: number; upMs: number; destroyMs: number }>;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The README's paragraph and table from the two benchmarks' figures (either may be missing). */
export function benchSection(runner: RunnerFigures | undefined, scale: ScaleFigures | undefined): string {
    const out: string[] = [];
    if (runner) {
        const ph = runner.phases;
        const many = runner.runs && runner.runs.length > 1 ? runner.runs : undefined;
        const spread = (xs: number[], f: (x: number) => string) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
        const over = many ? `, the median of ${many.length} runs (${spread(many.map((r) => r.overheadMs), s)})` : "";
        const ratioOf = many ? ` (the run with the median ratio; the ${many.length} runs: ${spread(many.map((r) => r.ratio), (x) => `${x.toFixed(2)}×`)})` : "";
        const ctk = runner.ctkOverheadMs !== undefined ? `, against Chaos Toolkit ${runner.chaostoolkit}'s ${s(runner.ctkOverheadMs)} (${(runner.overheadMs / runner.ctkOverheadMs).toFixed(1)}×)` : "";
        out.push(
            `Runner (\`npm run bench:runner\`, ${runner.date}, ${runner.cores} cores, load average ${runner.loadBefore.toFixed(1)}–${runner.loadAfter.toFixed(1)}): ` +
                `overhead of a one-fault Docker experiment (wall time minus configured windows) ${s(runner.overheadMs)}${over}${ctk}. ` +
                `Preview with the policy pack ${s(ph.preflight ?? 0)} (beside the warm-up), \`up\` ${s(ph.inject ?? 0)}, rollback ${s(ph.rollback ?? 0)} (its destroy beside recovery), ` +
                `recovery wait ${s(ph.recovery ?? 0)}, outside the phases (stack open, evidence) ${s(runner.outsidePhasesMs)}. ` +
                `The floor (one no-op dynamic resource, same CLI and policy pack, driven as a run drives it: preview, up held to its plan, destroy) was ${s(runner.floorMs)}: ` +
                `faultline's preview + up + rollback is ${(runner.pulumiMs / runner.floorMs).toFixed(2)}× it${ratioOf}.`,
        );
    }
    if (scale) {
        out.push("", `Scale (\`npm run bench:scale\`, ${scale.date}, load average ${scale.loadBefore.toFixed(1)}–${scale.loadAfter.toFixed(1)}), container-pause faults in one stack:`, "");
        out.push("| faults | up | destroy | per extra fault |", "|---|---|---|---|");
        scale.rows.forEach((r, i) => {
            const p = scale.rows[i - 1];
            const extra = p ? `${((r.upMs + r.destroyMs - p.upMs - p.destroyMs) / (r.faults - p.faults)).toFixed(0)} ms` : "";
            out.push(`| ${r.faults} | ${s(r.upMs)} | ${s(r.destroyMs)} | ${extra} |`);
        });
    }
    return out.join("\n");
}

function read<T>(file: string): T | undefined {
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
}

function main(): void {
    const root = path.join(__dirname, "..", "..");
    const file = path.join(root, "README.md");
    const body = benchSection(read<RunnerFigures>(path.join(root, "docs", "bench-runner.json")), read<ScaleFigures>(path.join(root, "docs", "bench-scale.json")));
    writeFileSync(file, replaceBetween(readFileSync(file, "utf8"), BENCH_MARKERS, body, "the runner benchmark figures"));
    console.log(`README.md: runner benchmark figures rewritten from docs/bench-runner.json and docs/bench-scale.json`);
}

if (require.main === module) main();
