// Benchmark of the runner on a tiny system (two busybox httpd containers on one network, published on 127.0.0.1):
//  1. runner overhead: total wall time of `faultline run` minus its configured windows (warm-up, fault window,
//     cool-down), with the Pulumi steps (preview, up, destroy) broken out;
//  2. the same experiment in Chaos Toolkit (`chaos run`, PyPI chaostoolkit; installed into .faultline/chaostoolkit
//     when not on PATH) on the same system: an http probe as
//     steady state, `docker network disconnect` as the method with the same fault window, `connect` as rollback;
//     its overhead the same way, and the ratio;
//  3. probe sampling: the rate reached per probe and the cost of one sample (target: >= 20 Hz, < 100 ms);
//  4. breach → rolled back: an error-rate stop condition driven by timeouts (web paused, the load's requests hang)
//     and one driven by fast errors (web cut off): from the moment the breach became observable (the breaching
//     request ended or passed its deadline) to the fault seen reverted on its target (target: <= 2 s).
//  5. the floor: a trivial stack of one dynamic resource whose provider does nothing, as compiled JS, with the same
//     policy pack: preview + up + destroy through the same Automation API calls as the runner's, what any
//     Pulumi-based runner pays at least.
// Usage: npm run bench:runner  (or: node --import tsx scripts/bench/runner.ts [--skip-chaostoolkit] [--stop-only] [--overhead-only] [--runs N])
// (--overhead-only: 1, 2 and 5, without the sampling and stop-condition sections; --runs N: 1 and 5 N times, 3 by
// default, reported with their medians; --json FILE: the figures as JSON, of the run with the median ratio)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createProbe, ProbeSpec } from "../../runner/probes";
import { Sampler } from "../../runner/probes/sampler";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { faultlineEnv, PROJECT_ROOT, useFaultlineEnv } from "../../runner/env";
import { openStack, planFile, previewWithPolicies, pulumiCli, removeStack, upAsPreviewed, violationLine, withoutCheckpoints, withoutResultReads } from "../../runner/pulumi";
import { runExperiment } from "../../runner/run";
import { freePort } from "../../test/helpers/demo";
import { cleanupRun, createNetwork, runContainer, runId } from "../../test/helpers/docker";

const FAULT_MS = 5000;
const WARMUP_MS = 2000;
const COOLDOWN_MS = 2000;

async function reachable(port: number): Promise<boolean> {
    try {
        return (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) })).ok;
    } catch {
        return false;
    }
}

async function main(): Promise<void> {
    useFaultlineEnv();
    const skipCtk = process.argv.includes("--skip-chaostoolkit");
    const overheadOnly = process.argv.includes("--overhead-only");
    const run = `bench-${runId()}`;
    const net = `flt-bench-${run}`;
    const web = `flt-bench-web-${run}`;
    const other = `flt-bench-other-${run}`;
    const stackName = `bench-runner-${run}`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-bench-"));
    const lines: string[] = [];
    const stacksUsed: string[] = [];
    // --json FILE: the run's figures for the README (npm run docs:bench), in milliseconds.
    const jsonAt = process.argv.indexOf("--json");
    const figures: Record<string, unknown> = { date: new Date().toISOString().slice(0, 10), cores: os.cpus().length, loadBefore: os.loadavg()[0] };
    const say = (s: string) => {
        lines.push(s);
        console.log(s);
    };
    try {
        await createNetwork(net, run);
        const webPort = await freePort();
        const otherPort = await freePort();
        const httpd = ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"];
        await runContainer({ name: web, run, network: net, aliases: ["web"], publish: 8080, hostPort: webPort, cmd: httpd, labels: { "chaos.opt-in": "true" } });
        await runContainer({ name: other, run, network: net, aliases: ["other"], publish: 8080, hostPort: otherPort, cmd: httpd });
        for (let i = 0; i < 50 && !(await reachable(otherPort)); i++) await new Promise((r) => setTimeout(r, 200));

        if (process.argv.includes("--stop-only")) {
            await stopConditions(say, { stackName, tmp, web, net, webPort });
            return;
        }
        // 3 first: sampling, while the machine is otherwise idle from this benchmark's point of view.
        if (!overheadOnly) await sampling(say, other, otherPort);

        // 1 and 5: faultline, then the floor right after under the same load; `--runs N` times (3 by default), each
        // on a stack of its own (a first run also creates its stack), and the run with the median ratio is the one
        // reported: on two shared cores one pair of runs differs from the next by 10-20 %.
        const experiment = {
            name: "bench-web-partition",
            hypothesis: { text: "other answers while web is cut off", probes: [{ name: "other-http", kind: "http", url: `http://127.0.0.1:${otherPort}/` }] },
            stopConditions: [{ metric: "probe", probe: "other-http", samples: 100 }],
            timing: { warmup: `${WARMUP_MS}ms`, duration: `${FAULT_MS}ms`, cooldown: `${COOLDOWN_MS}ms`, ttl: "10m" },
            faults: [{ name: "web-partition", kind: "docker:network-disconnect", container: web, network: net }],
        };
        const pairs: OverheadPair[] = [];
        for (let i = 0; i < runs(); i++) {
            const stack = `${stackName}-${i}`;
            stacksUsed.push(stack);
            pairs.push(await overheadPair(say, tmp, stack, experiment));
        }
        const median = [...pairs].sort((x, y) => x.ratio - y.ratio)[Math.floor(pairs.length / 2)]!;
        const overheads = pairs.map((p) => p.overheadMs).sort((x, y) => x - y);
        say("");
        say(`over ${pairs.length} runs: overhead ${overheads.map(sec).join(", ")} (median ${sec(overheads[Math.floor(overheads.length / 2)]!)}); ratio to the floor ${pairs.map((p) => p.ratio.toFixed(2)).join(", ")} (median ${median.ratio.toFixed(2)}x)`);
        const flOverhead = overheads[Math.floor(overheads.length / 2)]!;
        Object.assign(figures, { ...median.figures, overheadMs: flOverhead, runs: pairs.map((p) => ({ overheadMs: p.overheadMs, ratio: p.ratio })) });

        // 2: Chaos Toolkit on the same system and the same fault window.
        if (!skipCtk) {
            const bin = chaosToolkit();
            const chaos = spawnSync(bin, ["--version"], { encoding: "utf8" });
            if (chaos.status !== 0) say(`chaostoolkit: not installed and could not be installed (${bin}: ${chaos.stderr?.trim() || chaos.error?.message}); skipped`);
            else {
                const ctkExp = {
                    title: "web partition",
                    description: "other answers while web is cut off",
                    "steady-state-hypothesis": {
                        title: "other answers",
                        probes: [{ type: "probe", name: "other-http", tolerance: 200, provider: { type: "http", url: `http://127.0.0.1:${otherPort}/`, timeout: 1 } }],
                    },
                    method: [
                        {
                            type: "action",
                            name: "disconnect-web",
                            provider: { type: "process", path: "docker", arguments: ["network", "disconnect", net, web] },
                            pauses: { after: FAULT_MS / 1000 },
                        },
                    ],
                    rollbacks: [{ type: "action", name: "reconnect-web", provider: { type: "process", path: "docker", arguments: ["network", "connect", "--alias", "web", net, web] } }],
                };
                const file = path.join(tmp, "ctk.json");
                fs.writeFileSync(file, JSON.stringify(ctkExp, null, 2));
                const ctkStart = performance.now();
                const r = spawnSync(bin, ["--no-version-check", "run", "--journal-path", path.join(tmp, "journal.json"), file], { encoding: "utf8", cwd: tmp, timeout: 300_000 });
                const ctkWall = performance.now() - ctkStart;
                const ctkOverhead = ctkWall - FAULT_MS;
                const journal = JSON.parse(fs.readFileSync(path.join(tmp, "journal.json"), "utf8")) as { status: string; deviated: boolean };
                say(`chaostoolkit ${chaos.stdout.trim().split(" ").pop()}: status ${journal.status}, deviated ${journal.deviated}, exit ${r.status}, wall ${(ctkWall / 1000).toFixed(1)} s, configured window ${(FAULT_MS / 1000).toFixed(1)} s, overhead ${(ctkOverhead / 1000).toFixed(1)} s`);
                say(`overhead ratio faultline / chaostoolkit: ${(flOverhead / ctkOverhead).toFixed(1)}x`);
                Object.assign(figures, { chaostoolkit: chaos.stdout.trim().split(" ").pop(), ctkOverheadMs: ctkOverhead });
                say("  (faultline's overhead buys: policy preview, blast-radius check, state, TTL reaper, guaranteed rollback, 20 Hz sampling, evidence and reports)");
            }
        }
        if (!overheadOnly) await stopConditions(say, { stackName, tmp, web, net, webPort });
    } finally {
        for (const name of [stackName, ...stacksUsed, `${stackName}-timeouts`, `${stackName}-errors`]) {
            const stack = await openStack(name).catch(() => undefined);
            if (!stack) continue;
            await stack.destroy().catch(() => undefined);
            await removeStack(stack).catch(() => undefined);
        }
        await cleanupRun(run);
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    const load = os.loadavg()[0]!.toFixed(1);
    if (jsonAt >= 0) fs.writeFileSync(process.argv[jsonAt + 1]!, `${JSON.stringify({ ...figures, loadAfter: os.loadavg()[0] }, null, 2)}\n`);
    say(`\nmachine: ${os.cpus().length} cores, load average ${load} at the end (other work on the machine slows Pulumi a lot)`);
}

/** One faultline run and the floor right after it. */
interface OverheadPair {
    overheadMs: number;
    /** preview + up + rollback over the floor's preview + up + destroy. */
    ratio: number;
    /** This pair's figures for --json (docs:bench). */
    figures: Record<string, unknown>;
}

/** How many pairs to measure: `--runs N`, 3 by default. */
function runs(): number {
    const i = process.argv.indexOf("--runs");
    const n = i >= 0 ? Number(process.argv[i + 1]) : 3;
    if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`--runs: "${process.argv[i + 1]}" must be a whole number from 1 to 20`);
    return n;
}

/** 1 and 5: `faultline run` of `experiment` on a new stack, its overhead by phase, then the floor. */
async function overheadPair(say: (s: string) => void, tmp: string, stackName: string, experiment: Record<string, unknown>): Promise<OverheadPair> {
    const started = performance.now();
    const result = await runExperiment({ stack: stackName, experiment, outDir: path.join(tmp, stackName) });
    const wall = performance.now() - started;
    const ph = Object.fromEntries(result.evidence.timing.phases.map((p) => [p.name, p.end_ms - p.start_ms]));
    const configured = WARMUP_MS + FAULT_MS + COOLDOWN_MS;
    const overheadMs = wall - configured;
    // The destroy may go on through recovery (runner/run.ts rollbackPhase): the rollback's own duration counts it.
    const rollbackMs = Math.max(ph.rollback!, result.evidence.rollback.duration_ms);
    const pulumiMs = ph.preflight! + ph.inject! + rollbackMs;
    say("");
    say(`faultline run: verdict ${result.evidence.verdict}, wall ${sec(wall)}, configured windows ${sec(configured)}, overhead ${sec(overheadMs)}`);
    say(
        `  phases: preflight (preview + policy, beside the ${sec(WARMUP_MS)} warm-up) ${sec(ph.preflight!)}, up ${sec(ph.inject!)}, rollback (direct revert + destroy, the destroy beside recovery) ${sec(rollbackMs)}, ` +
            `recovery wait ${sec(ph.recovery ?? 0)}; outside phases (stack open, config, state and reaper checks, evidence, reports) ${sec(wall - result.evidence.duration_ms)}`,
    );
    const f = await floor(tmp, `${stackName}-floor`);
    const floorMs = f.previewMs + f.upMs + f.destroyMs;
    say(`floor (one no-op dynamic resource, JS, same CLI and policy pack, driven as a run drives it): preview ${sec(f.previewMs)}, up ${sec(f.upMs)}, destroy ${sec(f.destroyMs)}, total ${sec(floorMs)}`);
    say(`faultline preview + up + rollback ${sec(pulumiMs)} = ${(pulumiMs / floorMs).toFixed(2)}x the floor`);
    const figures = { wallMs: wall, configuredMs: configured, overheadMs, phases: { ...ph, rollback: rollbackMs }, outsidePhasesMs: wall - result.evidence.duration_ms, floor: f, floorMs, pulumiMs };
    return { overheadMs, ratio: pulumiMs / floorMs, figures };
}

/** 3: probe sampling, every probe kind at 20 Hz for 5 s. */
async function sampling(say: (s: string) => void, other: string, otherPort: number): Promise<void> {
    const probes = [
        ProbeSpec.parse({ name: "http", kind: "http", url: `http://127.0.0.1:${otherPort}/` }),
        ProbeSpec.parse({ name: "tcp", kind: "tcp", port: otherPort }),
        ProbeSpec.parse({ name: "container-health", kind: "container-health", container: other }),
        ProbeSpec.parse({ name: "container-stats", kind: "container-stats", container: other }),
        ProbeSpec.parse({ name: "command-host", kind: "command", command: ["true"] }),
    ].map((p) => createProbe(p as never));
    const t0 = performance.now();
    const sampler = new Sampler(probes, { intervalMs: 50, clock: () => performance.now() - t0, phase: () => "bench" });
    sampler.start();
    await new Promise((r) => setTimeout(r, 5000));
    await sampler.stop();
    say("probe sampling (interval 50 ms = 20 Hz target, 5 s, all probes at once):");
    say("| probe | samples | rate | mean cost/sample | p99 cost | ok |");
    say("|---|---|---|---|---|---|");
    for (const p of probes) {
        const xs = sampler.samples.filter((s) => s.probe === p.name);
        const span = (xs.at(-1)!.t - xs[0]!.t) / 1000;
        const costs = xs.map((s) => s.latencyMs).sort((a, b) => a - b);
        const mean = costs.reduce((a, b) => a + b, 0) / costs.length;
        say(`| ${p.name} | ${xs.length} | ${((xs.length - 1) / span).toFixed(1)} Hz | ${mean.toFixed(2)} ms | ${costs[Math.floor(costs.length * 0.99)]!.toFixed(2)} ms | ${xs.filter((s) => s.ok).length}/${xs.length} |`);
    }
}

/**
 * The `chaos` command: the one on PATH, else the one in a virtualenv under .faultline/chaostoolkit, which is created
 * and filled from PyPI (`pip install chaostoolkit`) the first time. Returns the command to run either way; a failed
 * install shows when it is asked for its version.
 */
function chaosToolkit(): string {
    if (spawnSync("chaos", ["--version"], { encoding: "utf8" }).status === 0) return "chaos";
    const venv = path.join(PROJECT_ROOT, ".faultline", "chaostoolkit");
    const bin = path.join(venv, "bin", "chaos");
    if (fs.existsSync(bin)) return bin;
    console.log(`chaostoolkit: not on PATH; installing it into ${venv} (python3 -m venv, pip install chaostoolkit)`);
    for (const [cmd, args] of [["python3", ["-m", "venv", venv]], [path.join(venv, "bin", "pip"), ["install", "--quiet", "chaostoolkit"]]] as const) {
        const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 300_000 });
        if (r.status !== 0) {
            console.log(`chaostoolkit: \`${cmd} ${args.join(" ")}\` failed: ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`);
            break;
        }
    }
    return bin;
}

/** Seconds, to one decimal. */
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The floor's program: one dynamic resource whose provider does nothing, plain JS (no compile step at `pulumi` time). */
const FLOOR_PROGRAM = `const pulumi = require("@pulumi/pulumi");
const noop = { async create(inputs) { return { id: "floor", outs: inputs }; } };
new pulumi.dynamic.Resource(noop, "floor", { n: 1 });
`;

/**
 * 5: the floor. A project of its own in `tmp` (Pulumi.yaml, index.js, node_modules linked to this repository's),
 * run through the same CLI, language host, backend and policy pack as an experiment's stack, and driven the way the
 * runner drives it (runner/pulumi.ts): preview with the pack saving a plan, up held to that plan, destroy, with no
 * reads of outputs or history after them. The floor measured until 2026-11-30 ran the pack in up too and let the
 * Automation API read outputs and history after up and destroy (four more CLI starts), which the runner no longer does.
 */
async function floor(tmp: string, stackName: string): Promise<{ previewMs: number; upMs: number; destroyMs: number }> {
    const dir = path.join(tmp, `floor-${stackName}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: faultline-floor\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
    fs.writeFileSync(path.join(dir, "index.js"), FLOOR_PROGRAM);
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"));
    const env = faultlineEnv();
    const pulumiCommand = await pulumiCli(env.FAULTLINE_PULUMI_BIN!);
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: dir }, { pulumiCommand, envVars: env });
    const plan = planFile();
    try {
        // Exactly the CLI calls of a run: preview with the pack writing a plan, up held to it, destroy; no result reads.
        // A run's rule keeps the up's checkpoints for a resource that is not a Docker fault (runner/experiment.ts
        // checkpointFreeUp), and its destroy writes none (runner/pulumi.ts withoutCheckpoints).
        const t0 = performance.now();
        const p = await previewWithPolicies(stack, { plan });
        if (!p.passed) throw new Error(`the floor's preview failed its policy check: ${p.violations.map(violationLine).join("; ")}`);
        const t1 = performance.now();
        await upAsPreviewed(stack, plan);
        const t2 = performance.now();
        await withoutResultReads(withoutCheckpoints(stack)).destroy();
        return { previewMs: t1 - t0, upMs: t2 - t1, destroyMs: performance.now() - t2 };
    } finally {
        await stack.destroy().catch(() => undefined);
        await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
    }
}

/** 4: breach → rolled back, for a timeout-driven and an error-driven error-rate stop condition. */
async function stopConditions(say: (s: string) => void, o: { stackName: string; tmp: string; web: string; net: string; webPort: number }): Promise<void> {
    say("");
    say("stop conditions, breach → rolled back (error-rate > 50 % for 2 checks; load 40 req/s on web, timeout 1 s):");
    say("| driven by | fault | observable → fired | fired → rollback began | rollback began → reverted | breach → rolled back |");
    say("|---|---|---|---|---|---|");
    for (const c of [
        { name: "timeouts", fault: { kind: "docker:container-pause", target: { name: o.web } } },
        { name: "errors", fault: { kind: "docker:network-disconnect", container: o.web, network: o.net } },
    ]) {
        const experiment = {
            name: `bench-stop-${c.name}`,
            hypothesis: { text: "web answers", probes: [{ name: "web-tcp", kind: "tcp", port: o.webPort }], slo: { latency: { p95: "10s" } } },
            load: { url: `http://127.0.0.1:${o.webPort}/`, rate: 40, timeout: "1s" },
            stopConditions: [{ metric: "error-rate", above: 0.5, samples: 2 }],
            timing: { warmup: "1s", duration: "2m", cooldown: "0s", ttl: "10m", sampleInterval: "100ms" },
            faults: [{ name: "web-fault", ...c.fault }],
        };
        const r = await runExperiment({ stack: `${o.stackName}-${c.name}`, experiment, outDir: path.join(o.tmp, `stop-${c.name}`) });
        const s = r.evidence.stop_condition;
        if (!s || s.rollback_began_ms === null || s.reverted_ms === null) {
            say(`| ${c.name} | ${c.fault.kind} | did not fire: ${r.evidence.status}, ${r.evidence.reason} | | | |`);
            continue;
        }
        const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
        say(`| ${c.name} | ${c.fault.kind} | ${f(s.at_ms - s.observable_at_ms)} | ${f(s.rollback_began_ms - s.at_ms)} | ${f(s.reverted_ms - s.rollback_began_ms)} | **${f(s.reverted_ms - s.observable_at_ms)}** |`);
        say(`breach → rolled back (${c.name === "timeouts" ? "timeout" : "error"}-driven): ${f(s.reverted_ms - s.observable_at_ms)}`);
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
