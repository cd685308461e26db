// Scale benchmark: N container-pause faults in one stack (N = 10, 50, 100 by default), each on its own busybox
// container, policy pack on (maxConcurrentFaults raised to N through --policy-pack-config). For each N it times,
// driven as a run drives them, the preview with the pack, `pulumi up` held to its plan (without intermediate
// checkpoints, as the preview allows for Docker faults) and `pulumi destroy` (without them too), checks
// every container was paused by up and is running again after destroy, and prints the cost per extra fault between sizes. What it measures is the engine,
// the dynamic provider and the program at N resources: the runner's own phases are bench:runner's business.
// Usage: npm run bench:scale  (or: node --import tsx scripts/bench/scale.ts [--counts 10,50,100] [--json FILE])
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { dockerClient } from "../../components/core/docker";
import { useFaultlineEnv } from "../../runner/env";
import { checkpointFreeUp } from "../../runner/experiment";
import { openStack, planFile, policyPacks, previewWithPolicies, upAsPreviewed, violationLine, withoutCheckpoints, withoutResultReads } from "../../runner/pulumi";
import { teardownStack } from "../../test/helpers/faults";
import { cleanupRun, runContainer, runId } from "../../test/helpers/docker";

/** One size's figures, in milliseconds. */
interface Row {
    faults: number;
    /** The preview with the policy pack that precedes a run's up; not part of up + destroy. */
    previewMs: number;
    upMs: number;
    destroyMs: number;
}

/** The sizes to run: `--counts 10,50` or the default 10, 50, 100. */
function counts(): number[] {
    const i = process.argv.indexOf("--counts");
    const raw = i >= 0 ? process.argv[i + 1] ?? "" : "10,50,100";
    const ns = raw.split(",").map(Number);
    if (ns.some((n) => !Number.isInteger(n) || n < 1 || n > 200)) throw new Error(`--counts: "${raw}" must be a comma-separated list of whole numbers from 1 to 200`);
    return ns;
}

/** How many of `names` Docker reports in `state` (paused or running). */
async function inState(names: string[], state: "paused" | "running"): Promise<number> {
    const docker = dockerClient();
    const states = await Promise.all(names.map(async (n) => (await docker.getContainer(n).inspect()).State));
    return states.filter((s) => (state === "paused" ? s.Paused : s.Running && !s.Paused)).length;
}

/** Starts `n` containers in batches of 10 (the engine is shared: no stampede). */
async function startContainers(run: string, n: number): Promise<string[]> {
    const names = Array.from({ length: n }, (_, i) => `flt-scale-${run}-${i}`);
    for (let i = 0; i < names.length; i += 10) {
        await Promise.all(names.slice(i, i + 10).map((name) => runContainer({ name, run, cmd: ["sleep", "3600"] })));
    }
    return names;
}

/** One size: up and destroy of `names.length` container-pause faults in a fresh stack, checked on the engine. */
async function measure(run: string, names: string[], packConfig: string): Promise<Row> {
    const n = names.length;
    const stack = await openStack(`bench-scale-${run}-${n}`, {
        experiment: {
            name: `bench-scale-${n}`,
            hypothesis: { text: "nothing is judged: this stack only measures up and destroy", probes: [{ kind: "tcp", name: "none", port: 9 }] },
            stopConditions: [{ metric: "error-rate", above: 0.5 }],
            timing: { ttl: "10m" },
            faults: names.map((name, i) => ({ name: `pause-${i}`, kind: "docker:container-pause", target: { name } })),
        },
    });
    try {
        // Driven as a run drives it (runner/pulumi.ts): preview with the pack writing a plan, up held to the plan.
        const plan = planFile();
        const t = performance.now();
        const free = checkpointFreeUp();
        const p = await previewWithPolicies(stack, { plan, policyPackConfigs: policyPacks().map(() => packConfig), onEvent: free.onEvent });
        if (!p.passed) throw new Error(`the policy pack refused the stack: ${p.violations.map(violationLine).join("; ")}`);
        const previewMs = performance.now() - t;
        const t0 = performance.now();
        await upAsPreviewed(stack, plan, {}, !free.holds());
        const upMs = performance.now() - t0;
        const paused = await inState(names, "paused");
        if (paused !== n) throw new Error(`up paused ${paused} of ${n} containers`);
        const t1 = performance.now();
        await withoutResultReads(withoutCheckpoints(stack)).destroy();
        const destroyMs = performance.now() - t1;
        const running = await inState(names, "running");
        if (running !== n) throw new Error(`destroy left ${n - running} of ${n} containers paused`);
        return { faults: n, previewMs, upMs, destroyMs };
    } finally {
        await teardownStack(stack);
    }
}

async function main(): Promise<void> {
    useFaultlineEnv();
    const sizes = counts();
    const loadBefore = os.loadavg()[0];
    const run = runId();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-scale-"));
    const packConfig = path.join(tmp, "pack.json");
    fs.writeFileSync(packConfig, JSON.stringify({ "max-concurrent-faults": { maxConcurrentFaults: Math.max(...sizes) } }));
    const rows: Row[] = [];
    try {
        const names = await startContainers(run, Math.max(...sizes));
        for (const n of sizes) {
            rows.push(await measure(run, names.slice(0, n), packConfig));
            const r = rows.at(-1)!;
            console.log(`${n} faults: preview ${(r.previewMs / 1000).toFixed(1)} s, up ${(r.upMs / 1000).toFixed(1)} s, destroy ${(r.destroyMs / 1000).toFixed(1)} s`);
        }
    } finally {
        await cleanupRun(run);
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    report(rows);
    // --json FILE: the figures for the README (npm run docs:bench), in milliseconds.
    const jsonAt = process.argv.indexOf("--json");
    if (jsonAt >= 0) fs.writeFileSync(process.argv[jsonAt + 1]!, `${JSON.stringify({ date: new Date().toISOString().slice(0, 10), cores: os.cpus().length, loadBefore, loadAfter: os.loadavg()[0], rows }, null, 2)}\n`);
}

/** The table, and the cost of each extra fault between consecutive sizes (up + destroy). */
function report(rows: Row[]): void {
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log("\n| faults | up | destroy | up + destroy | per extra fault (up + destroy) |");
    console.log("|---|---|---|---|---|");
    rows.forEach((r, i) => {
        const prev = rows[i - 1];
        const extra = prev ? `${((r.upMs + r.destroyMs - prev.upMs - prev.destroyMs) / (r.faults - prev.faults)).toFixed(0)} ms` : "";
        console.log(`| ${r.faults} | ${s(r.upMs)} | ${s(r.destroyMs)} | ${s(r.upMs + r.destroyMs)} | ${extra} |`);
    });
    const first = rows[0]!;
    const last = rows.at(-1)!;
    // The cost per fault at a size, from the floor of one: (total - total at the smallest size) / extra faults.
    if (rows.length >= 3) {
        const mid = rows[1]!;
        const low = (mid.upMs + mid.destroyMs - first.upMs - first.destroyMs) / (mid.faults - first.faults);
        const high = (last.upMs + last.destroyMs - mid.upMs - mid.destroyMs) / (last.faults - mid.faults);
        console.log(`\ncost per extra fault: ${low.toFixed(0)} ms from ${first.faults} to ${mid.faults}, ${high.toFixed(0)} ms from ${mid.faults} to ${last.faults} (ratio ${(high / low).toFixed(2)})`);
    }
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} at the end`);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
