// What a fault costs through withFault (testing/), next to the provider's figures (scripts/bench/faults.ts,
// docs/benchmarks.md): the medians of inject (startFault: halt lever, target screen, prepare, reaper armed, apply)
// and revert (revert and disarm) of a docker:container-pause on a busybox container, and run 0 apart as the cold
// case (no reaper running yet for the stack: arming starts one, and builds the reaper bundle in this process).
//
//   node --import tsx scripts/bench/withFault.ts [--runs 10]
import { randomBytes } from "node:crypto";
import { parseFault, startFault } from "../../testing";
import { cleanupRun, runContainer } from "../../test/helpers/docker";

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
    const i = process.argv.indexOf("--runs");
    const runs = i > 0 ? Number(process.argv[i + 1]) : 10;
    if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a whole number ≥ 1");
    const run = randomBytes(3).toString("hex");
    const target = `flt-bench-wf-${run}`;
    const owner = { stack: `bench-wf-${run}` };
    await runContainer({ name: target, run, cmd: ["sleep", "900"] });
    const inject: number[] = [];
    const revert: number[] = [];
    try {
        for (let n = 0; n <= runs; n++) {
            const parsed = parseFault({ kind: "docker:container-pause", target: { name: target }, ttl: "2m" }, { owner });
            const t0 = performance.now();
            const { revert: undo } = await startFault(parsed, { owner });
            const t1 = performance.now();
            await undo();
            const t2 = performance.now();
            inject.push(t1 - t0);
            revert.push(t2 - t1);
        }
    } finally {
        await cleanupRun(run);
    }
    const ms = (x: number) => `${Math.round(x)} ms`;
    console.log(`withFault docker:container-pause, ${runs} runs (+1 cold)`);
    console.log(`inject median ${ms(median(inject.slice(1)))}  revert median ${ms(median(revert.slice(1)))}  cold inject ${ms(inject[0]!)}`);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(2);
});
