// The fault benchmark: for every registered driver with a case in scripts/bench/cases/, the medians of
//   inject latency   driver.inject + reaper.arm (what the provider's create does) → fault observable on the target
//   rollback latency driver.revert + reaper.disarm (what the provider's delete does) → health probe passes again
// and the same two figures for the equivalent raw docker commands run directly, with the ratios.
//
//   node --import tsx scripts/bench/faults.ts [--runs 10] [--kinds docker:disk-fill,docker:cpu-stress] [--json]
// (--json: the JSON on stdout, the table on stderr)
//
// The probes poll from the start of create/delete, so "inject" ends when the fault is seen, which can be before the
// reaper is armed; "create" and "delete" are the provider operations' full durations (inject + arm, revert +
// disarm). Runs alternate which of provider and raw goes first, so neither always gets a warmer engine. Run 0 is a
// warm-up (module loading, the reaper bundle's esbuild build): its create is reported as "cold create" and left out
// of the medians.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { dockerClient } from "../../components/core/docker";
import type { DriverContext } from "../../components/core/driver";
import type { FaultOwner } from "../../components/core/labels";
import { reaper } from "../../components/docker/reaper";
import { drivers } from "../../components/registry";
import { cleanupRun } from "../../test/helpers/docker";
import { sh, type BenchCase, type BenchRun } from "./case";

interface Options {
    runs: number;
    kinds?: string[];
    json: boolean;
}

function parseOptions(argv: string[]): Options {
    const opts: Options = { runs: 10, json: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--runs") opts.runs = Number(argv[++i]);
        else if (a === "--kinds") opts.kinds = (argv[++i] ?? "").split(",").filter(Boolean);
        else if (a === "--json") opts.json = true;
        else throw new Error(`unknown option ${a}; usage: faults.ts [--runs N] [--kinds a,b] [--json]`);
    }
    if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error("--runs must be a whole number ≥ 1");
    return opts;
}

/** Every case in scripts/bench/cases/, by kind. */
function loadCases(): Map<string, BenchCase<any>> {
    const dir = path.join(__dirname, "cases");
    const cases = new Map<string, BenchCase<any>>();
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".ts") || f.endsWith(".js")).sort()) {
        const c = (require(path.join(dir, f)) as { benchCase?: BenchCase<any> }).benchCase;
        if (c) cases.set(c.kind, c);
    }
    return cases;
}

/** Polls `check` back to back until true; the time is measured by the caller. Bounded at 60 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Figures of one kind, in milliseconds. */
interface KindResult {
    kind: string;
    runs: number;
    coldInjectMs: number;
    injectMs: number;
    rollbackMs: number;
    rawInjectMs: number;
    rawRollbackMs: number;
    injectRatio: number;
    rollbackRatio: number;
    /** Time spent arming the reaper, after the driver's inject (median). */
    armMs: number;
    /** The provider's whole create: inject and arm the reaper (median). */
    createMs: number;
    /** The provider's whole delete: revert and disarm the reaper (median). */
    deleteMs: number;
}

async function benchKind(c: BenchCase<any>, run: BenchRun, runs: number, log: (s: string) => void): Promise<KindResult> {
    const driver = drivers[c.kind]!;
    const ctx = await c.setup(run);
    const spec = driver.schema.parse(c.spec(ctx));
    const owner: FaultOwner = { project: "faultline", stack: `bench-${run.id}`, experiment: "bench", fault: c.kind.replace(/\W/g, "-"), kind: c.kind };
    const dctx = (expiresAt: number): DriverContext => ({ owner, expiresAt, warn: (m) => log(`  warning: ${m}`), info: () => undefined });
    const inject: number[] = [];
    const rollback: number[] = [];
    const rawInject: number[] = [];
    const rawRollback: number[] = [];
    const arm: number[] = [];
    const creates: number[] = [];
    const deletes: number[] = [];
    let cold = 0;

    // As in the provider: create = inject, then arm the reaper; delete = revert, then disarm. The fault is
    // observable (and the target healthy again) as soon as the driver is done, so the probes poll from the start,
    // while the reaper is still being armed or disarmed; the full create and delete times are recorded too.
    const provider = async (i: number) => {
        const t0 = performance.now();
        const expiresAt = Date.now() + 10 * 60_000;
        const id = `${c.kind}/${owner.stack}/${owner.fault}/${i}`;
        let armed = 0;
        const create = (async () => {
            const record = await driver.inject(spec, dctx(expiresAt));
            const ta = performance.now();
            await reaper.arm({ id, kind: c.kind, record, owner, expiresAt });
            armed = performance.now() - ta;
            return record;
        })();
        create.catch(() => undefined);
        await Promise.race([until("the fault to be observable", () => c.observed(ctx)), create.then(() => new Promise(() => undefined))]);
        const injected = performance.now() - t0;
        const record = await create;
        const created = performance.now() - t0;
        const t1 = performance.now();
        const del = (async () => {
            await driver.revert(record, dctx(expiresAt));
            await reaper.disarm(id);
        })();
        del.catch(() => undefined);
        await Promise.race([until("the probe to be healthy", () => c.healthy(ctx)), del.then(() => new Promise(() => undefined))]);
        const rolledBack = performance.now() - t1;
        await del;
        const deleted = performance.now() - t1;
        if (i === 0) cold = created;
        else {
            inject.push(injected);
            rollback.push(rolledBack);
            creates.push(created);
            deletes.push(deleted);
            arm.push(armed);
        }
    };
    const raw = async (i: number) => {
        const t0 = performance.now();
        for (const cmd of c.rawInject(ctx)) await sh(cmd);
        await until("the raw fault to be observable", () => c.observed(ctx));
        const injected = performance.now() - t0;
        const t1 = performance.now();
        for (const cmd of c.rawRevert(ctx)) await sh(cmd);
        await until("the probe to be healthy after the raw revert", () => c.healthy(ctx));
        if (i > 0) {
            rawInject.push(injected);
            rawRollback.push(performance.now() - t1);
        }
    };

    try {
        await until("the target to be healthy before the first run", () => c.healthy(ctx));
        for (let i = 0; i <= runs; i++) {
            if (i % 2 === 0) {
                await provider(i);
                await raw(i);
            } else {
                await raw(i);
                await provider(i);
            }
            log(`  ${c.kind}: run ${i}/${runs} done`);
        }
    } finally {
        await c.teardown?.(ctx);
    }
    const r = {
        kind: c.kind,
        runs,
        coldInjectMs: cold,
        injectMs: median(inject),
        rollbackMs: median(rollback),
        rawInjectMs: median(rawInject),
        rawRollbackMs: median(rawRollback),
        armMs: median(arm),
        createMs: median(creates),
        deleteMs: median(deletes),
    };
    return { ...r, injectRatio: r.injectMs / r.rawInjectMs, rollbackRatio: r.rollbackMs / r.rawRollbackMs };
}

function table(results: KindResult[]): string {
    const f = (ms: number) => `${Math.round(ms)}`;
    const x = (r: number) => `${r.toFixed(2)}×`;
    const rows = [
        ["kind", "inject", "raw", "ratio", "rollback", "raw", "ratio", "create", "arm", "delete", "cold create", "inject ≤1s", "≤1.5× raw"],
        ...results.map((r) => [
            r.kind,
            f(r.injectMs),
            f(r.rawInjectMs),
            x(r.injectRatio),
            f(r.rollbackMs),
            f(r.rawRollbackMs),
            x(r.rollbackRatio),
            f(r.createMs),
            f(r.armMs),
            f(r.deleteMs),
            f(r.coldInjectMs),
            r.injectMs <= 1000 ? "yes" : "NO",
            r.injectRatio <= 1.5 && r.rollbackRatio <= 1.5 ? "yes" : "NO",
        ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
    return [line(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

async function main(): Promise<void> {
    const opts = parseOptions(process.argv.slice(2));
    const log = (s: string) => process.stderr.write(`${s}\n`);
    const cases = loadCases();
    const kinds = opts.kinds ?? Object.keys(drivers).filter((k) => cases.has(k));
    for (const k of Object.keys(drivers)) if (!cases.has(k)) log(`no benchmark case for ${k} (add one in scripts/bench/cases/)`);
    for (const k of kinds) if (!drivers[k] || !cases.has(k)) throw new Error(`no registered driver with a benchmark case for ${k}`);

    const id = randomBytes(3).toString("hex");
    const run: BenchRun = { id, labels: { "dev.faultline.bench": id } };
    const results: KindResult[] = [];
    const info = (await dockerClient().info()) as { NCPU: number; ServerVersion: string };
    log(`fault benchmark ${id}: ${opts.runs} runs per kind (+1 warm-up), Docker ${info.ServerVersion}, ${info.NCPU} CPUs`);
    try {
        for (const k of kinds) results.push(await benchKind(cases.get(k)!, run, opts.runs, log));
    } finally {
        await cleanupRun(id);
        // Reapers and helpers of this run carry its stack label.
        const filters = JSON.stringify({ label: [`dev.faultline.stack=bench-${id}`] });
        for (const c of await dockerClient().listContainers({ all: true, filters })) {
            await dockerClient().getContainer(c.Id).remove({ force: true }).catch(() => undefined);
        }
    }
    // With --json, stdout carries the JSON alone and the table goes to stderr.
    const out = opts.json ? process.stderr : process.stdout;
    out.write(`\nmedians of ${opts.runs} runs, in ms (inject: start → observable; rollback: start → probe healthy)\n`);
    out.write(`${table(results)}\n`);
    if (opts.json) {
        process.stdout.write(`${JSON.stringify({ runs: opts.runs, docker: info.ServerVersion, cpus: info.NCPU, results }, null, 2)}\n`);
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
