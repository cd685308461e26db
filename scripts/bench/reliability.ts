// The reliability benchmark: does every Docker fault kind come back when everything dies in the middle of `pulumi up`?
//
//   npm run bench:reliability -- [--trials 4] [--kinds docker:disk-fill,docker:cpu-stress] [--ttl 8] [--parallel 1] [--json]
//
// For every kind with a case in scripts/bench/cases/ (the first case of each kind), one stack with one fault and a
// short TTL against throwaway containers, and `--trials` trials of:
//   1. the real `pulumi up`, whole process tree SIGKILLed (test/helpers/killTree.ts: pulumi, language host, dynamic
//      providers, policy pack, frozen then killed) at the instant the fault is first seen on the target (even
//      trials) or at a random moment of the `up` (odd trials);
//   2. wait: the target must be back in its exact prior state (the case's health probe passes, the containers'
//      state, limits and network endpoints are as before, no helper of the fault is left) within TTL + 5 s of the
//      fault's deadline as armed in its reaper;
//   3. `faultline recover --stack <stack>` must exit 0 and leave the stack clean (no fault in state, no pending
//      operation, no lock, nothing armed, no reaper or helper left);
//   4. a new `pulumi up` and `pulumi destroy` of the same stack must succeed (usable).
// A kind the provider refuses at preview on this machine (netem without sch_netem) is reported as refused.
// Per kind it prints trials, fault in at kill, reverted within TTL + 5 s, worst delay after the TTL, recover exit 0,
// clean, usable; with --json the JSON goes to stdout; the JSON is also written to docs/bench-reliability.json
// (--out to change).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { REAPER_MODULES } from "../../components/core/FaultResource";
import { faultProviderFor } from "../../components/core/faultProvider";
import { dockerClient } from "../../components/core/docker";
import { Labels, type FaultOwner } from "../../components/core/labels";
import { armedFaults } from "../../components/docker/reaper";
import { faultlineEnv, PROJECT_ROOT, useFaultlineEnv } from "../../runner/env";
import { liveResources, openStack, pendingOperations, removeStack } from "../../runner/pulumi";
import { cleanupRun, TEST_LABEL } from "../../test/helpers/docker";
import { upThenKillTree } from "../../test/helpers/killTree";
import { driverModules, loadCases, type BenchCase, type BenchRun } from "./case";

interface Options {
    trials: number;
    kinds?: string[];
    ttlS: number;
    json: boolean;
    out: string;
    /** Kinds run at the same time (each has its own stack and targets). */
    parallel: number;
}

const USAGE = "usage: npm run bench:reliability -- [--trials N] [--kinds docker:a,docker:b] [--ttl S] [--parallel N] [--json] [--out FILE]";

/** A wrong command line: printed as one line with the usage, never as a stack trace. */
class UsageError extends Error {
    override name = "UsageError";
}

function parseOptions(argv: string[]): Options {
    const opts: Options = { trials: 4, ttlS: 8, json: false, out: path.join(PROJECT_ROOT, "docs", "bench-reliability.json"), parallel: 1 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--trials") opts.trials = Number(argv[++i]);
        else if (a === "--kinds") opts.kinds = (argv[++i] ?? "").split(",").filter(Boolean);
        else if (a === "--ttl") opts.ttlS = Number(argv[++i]);
        else if (a === "--json") opts.json = true;
        else if (a === "--out") opts.out = path.resolve(argv[++i] ?? "");
        else if (a === "--parallel") opts.parallel = Number(argv[++i]);
        else if (a === "--help" || a === "-h") {
            process.stdout.write(`${USAGE}\n`);
            process.exit(0);
        } else throw new UsageError(`unknown option ${a}; ${USAGE}`);
    }
    if (!Number.isInteger(opts.trials) || opts.trials < 1) throw new UsageError(`--trials must be a whole number ≥ 1; ${USAGE}`);
    if (!Number.isInteger(opts.ttlS) || opts.ttlS < 3) throw new UsageError(`--ttl must be a whole number of seconds ≥ 3; ${USAGE}`);
    if (!Number.isInteger(opts.parallel) || opts.parallel < 1) throw new UsageError(`--parallel must be a whole number ≥ 1; ${USAGE}`);
    return opts;
}

/** One trial's outcome. */
interface Trial {
    kind: string;
    trial: number;
    /** "seen": killed the instant the fault was first seen; "random": killed after `killAfterMs`. */
    moment: "seen" | "random";
    killAfterMs: number;
    /** Processes the kill took down (pulumi and its plugins). */
    killed: number;
    /** `pulumi up` had ended on its own before the kill moment. */
    finishedFirst: boolean;
    /** The fault was in effect on the target right after the kill. */
    faultInAtKill: boolean;
    /** A fault (not only the standby) was armed in a reaper when the kill struck. */
    armed: boolean;
    /** Back in the exact prior state within TTL + 5 s of the armed deadline (of the kill, when nothing was armed). */
    reverted: boolean;
    /** When it was back, relative to the armed deadline (ms; negative: before it, e.g. a fault that never went in). */
    delayAfterTtlMs: number | null;
    recoverExit: number | null;
    clean: boolean;
    /** What was not clean after recover. */
    unclean: string[];
    usable: boolean;
    /** Set when the Docker engine restarted during the trial (another session's test): left out of the figures. */
    voided?: string;
    error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pid of the running dockerd (0 when none): a change means the engine restarted, which stops every target. */
function enginePid(): number {
    for (const p of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(p)) continue;
        try {
            if (fs.readFileSync(`/proc/${p}/comm`, "utf8").trim() === "dockerd") return Number(p);
        } catch {
            // gone meanwhile
        }
    }
    return 0;
}

/** Starts the run's containers an engine restart stopped (the test setup, not a fault: no fault stops all of them). */
async function restartStopped(run: BenchRun): Promise<void> {
    const list = await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [`${TEST_LABEL}=${run.id}`], status: ["exited"] }) });
    for (const c of list) await dockerClient().getContainer(c.Id).start().catch(() => undefined);
}

/** What "exact prior state" compares: every container of the run, as Docker reports its state, limits and endpoints. */
async function fingerprint(run: BenchRun): Promise<string> {
    const docker = dockerClient();
    const list = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${TEST_LABEL}=${run.id}`] }) });
    const out: unknown[] = [];
    for (const c of list.sort((a, b) => (a.Names[0] ?? "").localeCompare(b.Names[0] ?? ""))) {
        const i = await docker.getContainer(c.Id).inspect().catch(() => undefined);
        if (!i) continue;
        const h = i.HostConfig;
        out.push({
            name: i.Name,
            status: i.State.Status,
            paused: i.State.Paused,
            limits: [h.CpuQuota, h.CpuPeriod, h.NanoCpus, h.CpusetCpus, h.Memory, h.MemorySwap],
            networks: Object.entries(i.NetworkSettings.Networks ?? {})
                // A dynamic address (and the MAC the engine derives from it) is Docker's to choose again whenever the
                // container (re)joins a network, as a plain `docker stop` + `start` shows; only a pinned one is part of
                // the state a revert must restore.
                .map(([n, e]) => {
                    const pinned = !!e.IPAMConfig?.IPv4Address;
                    return { n, ip: pinned ? e.IPAddress : "dynamic", mac: pinned ? e.MacAddress : "dynamic", aliases: [...(e.Aliases ?? [])].sort(), ipam: e.IPAMConfig ?? null };
                })
                .sort((a, b) => a.n.localeCompare(b.n)),
        });
    }
    return JSON.stringify(out);
}

/** Helper containers of the stack's faults that are still there (a stressor, a half-created helper). */
async function helpersLeft(stack: string): Promise<number> {
    const filters = JSON.stringify({ label: [`${Labels.stack}=${stack}`, `${Labels.role}=helper`] });
    return (await dockerClient().listContainers({ all: true, filters })).length;
}

/** The lock files the local backend keeps for a stack while an update holds it. */
function locksOf(stack: string): string[] {
    const backend = faultlineEnv().PULUMI_BACKEND_URL ?? "";
    if (!backend.startsWith("file://")) return [];
    const root = path.join(backend.slice("file://".length), ".pulumi", "locks");
    const found: string[] = [];
    const walk = (dir: string) => {
        if (!fs.existsSync(dir)) return;
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (p.split(path.sep).includes(stack)) found.push(p);
        }
    };
    walk(root);
    return found;
}

/** What is not clean about a stack after recover (empty when clean). Reapers get a few seconds to retire. */
async function uncleanOf(stack: Stack): Promise<string[]> {
    const problems: string[] = [];
    const left = await liveResources(stack);
    if (left.length) problems.push(`${left.length} resource(s) still in state`);
    if ((await pendingOperations(stack)) > 0) problems.push("pending operations");
    if (locksOf(stack.name).length) problems.push("backend lock left");
    for (let i = 0; ; i++) {
        const armed = await armedFaults({ stack: stack.name });
        if (armed.length === 0 && (await helpersLeft(stack.name)) === 0) break;
        if (i >= 50) {
            problems.push(`${armed.length} armed fault(s) or reaper(s), ${await helpersLeft(stack.name)} helper(s) left`);
            break;
        }
        await sleep(100);
    }
    return problems;
}

/** Runs `faultline recover --stack <stack>` as a user would; returns its exit code and output. */
function recoverCli(stack: string): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["--import", "tsx", path.join(PROJECT_ROOT, "runner", "cli.ts"), "recover", "--stack", stack],
            { cwd: PROJECT_ROOT, env: { ...process.env, ...faultlineEnv() }, timeout: 180_000 },
            (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 2) : 0, output: `${stdout}${stderr}` }),
        );
    });
}

/** Polls `check` until true or `deadline`; returns when it was true, or undefined. */
async function until(check: () => Promise<boolean>, deadline: number, everyMs = 100): Promise<number | undefined> {
    for (;;) {
        if (await check().catch(() => false)) return Date.now();
        if (Date.now() > deadline) return undefined;
        await sleep(everyMs);
    }
}

/** The bench's own way back to a clean stack when recover did not get there, so the next trial starts clean. */
async function fallbackCleanup(stack: Stack): Promise<void> {
    await stack.cancel().catch(() => undefined);
    await stack.refresh({ clearPendingCreates: true }).catch(() => undefined);
    await stack.destroy().catch(() => undefined);
}

/** Everything one kind's trials share. */
interface KindRun {
    c: BenchCase<any>;
    ctx: unknown;
    stack: Stack;
    run: BenchRun;
    ttlMs: number;
    /** How long `up` took to put the fault in, last time it was seen: random kills fall in [0.2 s, 1.3 × this]. */
    seenAfterMs: number;
}

/** One trial: kill, wait for the revert, recover, up and destroy again. */
async function trial(k: KindRun, i: number, log: (s: string) => void): Promise<Trial> {
    const { c, ctx, stack, run } = k;
    const moment = i % 2 === 0 ? "seen" : "random";
    const t: Trial = {
        kind: c.kind, trial: i, moment, killAfterMs: 0, killed: 0, finishedFirst: false, faultInAtKill: false, armed: false,
        reverted: false, delayAfterTtlMs: null, recoverExit: null, clean: false, unclean: [], usable: false,
    };
    const engine = enginePid();
    // The probe that passes before every inject (a case may take its baseline there, e.g. container-restart's run).
    await until(() => c.healthy(ctx), Date.now() + 30_000);
    const prior = await fingerprint(run);
    const started = Date.now();
    try {
        const killAfterMs = 200 + Math.floor(Math.random() * Math.max(1, 1.3 * k.seenAfterMs - 200));
        const kill = moment === "seen"
            ? await upThenKillTree(stack.name, { whenSeen: () => c.observed(ctx) })
            : await upThenKillTree(stack.name, { afterMs: killAfterMs });
        t.killAfterMs = (kill.faultsInAt ?? kill.killedAt) - started;
        if (moment === "seen") k.seenAfterMs = t.killAfterMs;
        t.killed = kill.killed;
        t.finishedFirst = kill.finishedFirst;
        const [faultIn, armed] = await Promise.all([
            moment === "seen" ? Promise.resolve(true) : c.observed(ctx).catch(() => false),
            armedFaults({ stack: stack.name }),
        ]);
        t.faultInAtKill = faultIn;
        const fault = armed.find((a) => a.kind === c.kind);
        t.armed = !!fault;
        const ttlEnd = fault?.expiresAt ?? kill.killedAt + k.ttlMs;
        // An armed fault may still be going in after the kill (a helper container finishes its `tc` or `iptables` on
        // its own): it is back once its reaper has reverted it. Nothing armed means `apply` never started.
        const stillArmed = async () => !!fault && (await armedFaults({ stack: stack.name })).some((a) => a.id === fault.id);
        const back = await until(
            async () => !(await stillArmed()) && (await c.healthy(ctx)) && (await fingerprint(run)) === prior && (await helpersLeft(stack.name)) === 0,
            ttlEnd + 5_000,
        );
        t.reverted = back !== undefined;
        t.delayAfterTtlMs = back === undefined ? null : back - ttlEnd;
        if (!t.reverted) {
            // Which part of "back in the exact prior state" did not hold, so a miss can be told from a bench artifact.
            const why = [
                ...((await stillArmed()) ? ["still armed"] : []),
                ...((await c.healthy(ctx).catch(() => false)) ? [] : ["health probe fails"]),
                ...((await fingerprint(run)) === prior ? [] : [`state differs: was ${prior} now ${await fingerprint(run)}`]),
                ...((await helpersLeft(stack.name)) > 0 ? ["helper left"] : []),
            ];
            log(`    not back within TTL + 5 s: ${why.join("; ") || "all conditions hold now"}`);
        }
        const rec = await recoverCli(stack.name);
        t.recoverExit = rec.code;
        if (rec.code !== 0) log(`    recover exited ${rec.code}: ${rec.output.trim().split("\n").slice(-2).join(" | ")}`);
        t.unclean = await uncleanOf(stack);
        t.clean = t.unclean.length === 0;
        if (!t.clean) log(`    not clean after recover: ${t.unclean.join("; ")}`);
        try {
            await stack.up();
            await stack.destroy();
            t.usable = (await until(() => c.healthy(ctx), Date.now() + 15_000)) !== undefined;
        } catch (err) {
            t.error = `up/destroy after recover: ${String(err).split("\n").slice(0, 3).join(" ")}`;
        }
    } catch (err) {
        t.error = String(err).split("\n").slice(0, 3).join(" ");
    }
    const now = enginePid();
    if (now !== engine || now === 0 || /docker\.sock/.test(t.error ?? "")) {
        t.voided = "the Docker engine restarted during the trial (another session), which stops every target";
    }
    if (!t.clean || !t.usable) {
        await fallbackCleanup(stack);
        await until(async () => (await c.healthy(ctx)) && (await fingerprint(run)) === prior, Date.now() + 30_000);
    }
    const delay = t.delayAfterTtlMs === null ? "never" : `${(t.delayAfterTtlMs / 1000).toFixed(2)} s`;
    log(`  ${c.kind} #${i} ${moment} kill at ${t.killAfterMs} ms (${t.killed} processes${t.finishedFirst ? ", up had ended" : ""}): ` +
        `in=${t.faultInAtKill} armed=${t.armed} back ${delay} after TTL, recover ${t.recoverExit}, clean ${t.clean}, usable ${t.usable}` +
        (t.error ? `; ${t.error}` : ""));
    return t;
}

/** Per-kind summary row. */
interface KindSummary {
    kind: string;
    trials: number;
    atInstant: number;
    faultInAtKill: number;
    reverted: number;
    worstDelayAfterTtlMs: number | null;
    recoverExit0: number;
    clean: number;
    usable: number;
}

function summarize(kind: string, ts: Trial[]): KindSummary {
    const delays = ts.filter((t) => t.faultInAtKill && t.delayAfterTtlMs !== null).map((t) => t.delayAfterTtlMs!);
    return {
        kind,
        trials: ts.length,
        atInstant: ts.filter((t) => t.moment === "seen").length,
        faultInAtKill: ts.filter((t) => t.faultInAtKill).length,
        reverted: ts.filter((t) => t.reverted).length,
        worstDelayAfterTtlMs: delays.length ? Math.max(...delays) : null,
        recoverExit0: ts.filter((t) => t.recoverExit === 0).length,
        clean: ts.filter((t) => t.clean).length,
        usable: ts.filter((t) => t.usable).length,
    };
}

function table(rows: KindSummary[], refused: Array<{ kind: string; reason: string }>): string {
    const head = ["kind", "trials", "at instant", "fault in at kill", "reverted ≤ TTL+5 s", "worst after TTL", "recover exit 0", "clean", "usable"];
    const body = rows.map((r) => [
        r.kind, String(r.trials), String(r.atInstant), `${r.faultInAtKill}/${r.trials}`, `${r.reverted}/${r.trials}`,
        r.worstDelayAfterTtlMs === null ? "-" : `${(r.worstDelayAfterTtlMs / 1000).toFixed(2)} s`,
        `${r.recoverExit0}/${r.trials}`, `${r.clean}/${r.trials}`, `${r.usable}/${r.trials}`,
    ]);
    for (const r of refused) body.push([r.kind, "refused", "", "", "", "", "", "", r.reason.slice(0, 60)]);
    const all = [head, ...body];
    const widths = head.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
    const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
    return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

/** Sets a kind up, or says why the provider refuses it here (netem on a kernel without it). */
async function setupKind(c: BenchCase<any>, module: string, run: BenchRun, ttlS: number): Promise<KindRun | { reason: string }> {
    const ctx = await c.setup(run);
    const slug = c.kind.replace(/^docker:/, "");
    const stackName = `bench-rel-${run.id}-${slug}`;
    const owner: FaultOwner = { project: "faultline", stack: stackName, experiment: "reliability", fault: slug, kind: c.kind };
    const checked = await faultProviderFor(module, REAPER_MODULES).check({} as never, { kind: c.kind, spec: c.spec(ctx), owner, ttlMs: ttlS * 1000 });
    if (checked.failures?.length) {
        await c.teardown?.(ctx);
        return { reason: checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ") };
    }
    const spec = c.spec(ctx) as Record<string, unknown>;
    const stack = await openStack(stackName, {
        experiment: { name: "reliability", faults: [{ ...spec, name: slug, kind: c.kind, ttl: `${ttlS}s` }] },
    });
    // Until a trial has seen the fault go in (trial 0 does), random kills fall within a typical loaded `up`.
    return { c, ctx, stack, run, ttlMs: ttlS * 1000, seenAfterMs: 30_000 };
}

async function main(): Promise<void> {
    const opts = parseOptions(process.argv.slice(2));
    const log = (s: string) => process.stderr.write(`${s}\n`);
    useFaultlineEnv();
    const modules = driverModules();
    // One case per kind: the first (the Toxiproxy toxic has one per toxic type; one is enough for rollback).
    const cases = loadCases()
        .filter((c, i, all) => all.findIndex((x) => x.kind === c.kind) === i)
        .filter((c) => !opts.kinds || opts.kinds.includes(c.kind));
    if (cases.length === 0) throw new Error(`no benchmark case matches --kinds ${opts.kinds?.join(",")}`);
    const id = randomBytes(3).toString("hex");
    const load = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    const loadBefore = load();
    const started = new Date().toISOString();
    log(`reliability benchmark ${id}: ${opts.trials} trials per kind, TTL ${opts.ttlS} s, ${cases.length} kinds, load ${loadBefore}`);
    const trials: Trial[] = [];
    /** Trials an engine restart by someone else spoiled: reported, not counted. */
    const voided: Trial[] = [];
    const refused: Array<{ kind: string; reason: string }> = [];
    const stacks: Stack[] = [];
    /** Summarizes the trials so far and writes the JSON: after every trial, so a stopped run keeps its figures. */
    const report = () => {
        const kinds = [...new Set(trials.map((t) => t.kind))].map((kind) => summarize(kind, trials.filter((t) => t.kind === kind)));
        const result = {
            id, started, finished: new Date().toISOString(), ttlS: opts.ttlS, trialsPerKind: opts.trials,
            loadBefore, loadAfter: load(), command: `npm run bench:reliability -- --trials ${opts.trials} --parallel ${opts.parallel}`,
            totals: summarize("all", trials), kinds, refused, trials, voided,
        };
        fs.mkdirSync(path.dirname(opts.out), { recursive: true });
        fs.writeFileSync(opts.out, JSON.stringify(result, null, 2) + "\n");
        return result;
    };
    // SIGTERM or SIGINT: finish the trials under way, then clean up and report what was measured.
    let stopping = false;
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => ((stopping = true), log(`${sig}: stopping after the trials under way`)));
    const queue = cases.map((c, n) => ({ c, n }));
    // Each kind has a run of its own: its fingerprint and its restart of stopped targets must never see the targets
    // of a kind that a parallel worker is breaking at the same moment (one stopped container spoils both trials).
    const runs: BenchRun[] = [];
    const worker = async () => {
        for (let q = queue.shift(); q && !stopping; q = queue.shift()) {
            const { c } = q;
            const run: BenchRun = { id: `${id}k${q.n}`, labels: { "dev.faultline.bench": id } };
            runs.push(run);
            const k = await setupKind(c, modules.get(c.kind)!, run, opts.ttlS);
            if ("reason" in k) {
                log(`  ${c.kind}: refused at preview: ${k.reason}`);
                refused.push({ kind: c.kind, reason: k.reason });
                continue;
            }
            stacks.push(k.stack);
            for (let i = 0; i < opts.trials && !stopping; i++) {
                await restartStopped(run);
                const t = await trial(k, i, log);
                if (t.voided) log(`    voided: ${t.voided}`);
                (t.voided ? voided : trials).push(t);
                report();
            }
            await c.teardown?.(k.ctx);
        }
    };
    try {
        await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, worker));
    } finally {
        for (const s of stacks) {
            await fallbackCleanup(s);
            await removeStack(s).catch(() => undefined);
        }
        for (const run of runs) await cleanupRun(run.id);
    }
    const result = report();
    const out = opts.json ? process.stderr : process.stdout;
    out.write(`\n${trials.length} whole-tree kill trials, TTL ${opts.ttlS} s, load average ${loadBefore} before and ${load()} after\n`);
    out.write(`${table([...result.kinds, result.totals], refused)}\nwrote ${path.relative(PROJECT_ROOT, opts.out)}\n`);
    if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}

main().catch((err: unknown) => {
    const usage = err instanceof UsageError;
    process.stderr.write(`${usage ? `error: ${err.message}` : err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(2);
});
