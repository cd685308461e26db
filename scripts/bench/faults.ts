// The fault benchmark: for every registered Docker fault kind, with a case in scripts/bench/cases/, the medians of
//   inject latency   the provider's create (what `pulumi up` runs for the fault) start → fault observable on the target
//   rollback latency the provider's delete (what `pulumi destroy` runs) start → health probe passes again
// and the same two figures for the equivalent raw docker, iptables, tc or toxiproxy command run directly, with the
// ratios.
//
//   node --import tsx scripts/bench/faults.ts [--runs 10] [--kinds docker:disk-fill,docker:cpu-stress] [--json]
// (--json: the JSON on stdout, the table on stderr)
//
// The provider is the real one (components/core/FaultResource.ts), called in-process without the engine: check
// (preview's validation and live checks, not timed), then create and delete, reaper included. The probes poll from
// the start of create/delete, so "inject" ends when the fault is seen, which can be before create returns (apply's
// last step, e.g. recording a helper's id, may come after the change); "create" and "delete" are the operations' durations.
//
// As in an experiment stack, the stack's reaper stands by before the faults go in (ExperimentMetadata's standby),
// so arming is a volume create. Run 0 is the cold case, a fault with no reaper running yet (its create starts one,
// and builds the reaper bundle in this process): reported as "cold create", left out of the medians. Runs alternate
// which of provider and raw goes first, so neither always gets a warmer engine.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { REAPER_MODULES } from "../../components/core/FaultResource";
import { faultProviderFor } from "../../components/core/faultProvider";
import { dockerClient } from "../../components/core/docker";
import { STANDBY_KIND, type FaultOwner } from "../../components/core/labels";
import { reaper } from "../../components/docker/reaper";
import { cleanupRun } from "../../test/helpers/docker";
import { driverModules, loadCases, sh, type BenchCase, type BenchRun } from "./case";

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

/** Figures of one case, in milliseconds. */
interface KindResult {
    kind: string;
    name: string;
    runs: number;
    /** The cold run's create: no reaper running yet (see the header). */
    coldCreateMs: number;
    injectMs: number;
    rollbackMs: number;
    rawInjectMs: number;
    rawRollbackMs: number;
    injectRatio: number;
    rollbackRatio: number;
    /** The provider's whole create: inject and arm the reaper (median). */
    createMs: number;
    /** The provider's whole delete: revert and disarm (median). */
    deleteMs: number;
}

/** A kind the provider refuses at preview on this machine (netem without the kernel module): the reason. */
interface Refused {
    kind: string;
    name: string;
    reason: string;
}

async function benchCase(c: BenchCase<any>, module: string, run: BenchRun, runs: number, log: (s: string) => void): Promise<KindResult | Refused> {
    const name = c.name ?? c.kind;
    const provider = faultProviderFor(module, REAPER_MODULES);
    const ctx = await c.setup(run);
    const owner: FaultOwner = { project: "faultline", stack: `bench-${run.id}`, experiment: "bench", fault: name.replace(/\W+/g, "-"), kind: c.kind };
    const checked = await provider.check({} as never, { kind: c.kind, spec: c.spec(ctx), owner, ttlMs: 10 * 60_000 });
    if (checked.failures?.length) {
        await c.teardown?.(ctx);
        return { kind: c.kind, name, reason: checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ") };
    }
    const inputs = checked.inputs!;
    const standby = { id: `standby/${owner.stack}`, kind: STANDBY_KIND, record: null, owner: { ...owner, fault: "", kind: STANDBY_KIND } };
    const f = { inject: [] as number[], rollback: [] as number[], rawInject: [] as number[], rawRollback: [] as number[], create: [] as number[], delete: [] as number[] };
    let cold = 0;

    /** Runs `op`, polling `probe` from its start; returns [ms until probe true, ms until op done]. */
    const timed = async (op: () => Promise<unknown>, probe: () => Promise<boolean>, what: string): Promise<[number, number]> => {
        const t0 = performance.now();
        let done = 0;
        const p = op().then((v) => ((done = performance.now() - t0), v));
        p.catch(() => undefined);
        // A failed operation ends the wait at once with its error.
        await Promise.race([until(what, probe), p.then(() => new Promise(() => undefined))]);
        const seen = performance.now() - t0;
        await p;
        return [seen, done];
    };

    const viaProvider = async (i: number) => {
        let created: { id: string; outs?: any } | undefined;
        const [inject, create] = await timed(async () => (created = await provider.create(inputs)), () => c.observed(ctx), `${name}: the fault to be observable`);
        const [rollback, del] = await timed(() => provider.delete(created!.id, created!.outs), () => c.healthy(ctx), `${name}: the probe to be healthy`);
        if (i === 0) cold = create;
        else {
            f.inject.push(inject);
            f.create.push(create);
            f.rollback.push(rollback);
            f.delete.push(del);
        }
    };
    const raw = async (i: number) => {
        const shAll = (cmds: string[][]) => async () => {
            for (const cmd of cmds) await sh(cmd);
        };
        const [inject] = await timed(shAll(c.rawInject(ctx)), () => c.observed(ctx), `${name}: the raw fault to be observable`);
        const [rollback] = await timed(shAll(c.rawRevert(ctx)), () => c.healthy(ctx), `${name}: the probe to be healthy after the raw revert`);
        if (i > 0) {
            f.rawInject.push(inject);
            f.rawRollback.push(rollback);
        }
    };

    try {
        await until(`${name}: the target to be healthy before the first run`, () => c.healthy(ctx));
        for (let i = 0; i <= runs; i++) {
            // After the cold run, the stack's reaper stands by, as an experiment's does.
            if (i === 1) await reaper.arm({ ...standby, expiresAt: Date.now() + 30 * 60_000 });
            if (i % 2 === 0) {
                await viaProvider(i);
                await raw(i);
            } else {
                await raw(i);
                await viaProvider(i);
            }
            log(`  ${name}: run ${i}/${runs} done`);
        }
    } finally {
        await reaper.disarm(standby.id, standby.owner).catch(() => undefined);
        await c.teardown?.(ctx);
    }
    const r = {
        kind: c.kind,
        name,
        runs,
        coldCreateMs: cold,
        injectMs: median(f.inject),
        rollbackMs: median(f.rollback),
        rawInjectMs: median(f.rawInject),
        rawRollbackMs: median(f.rawRollback),
        createMs: median(f.create),
        deleteMs: median(f.delete),
    };
    return { ...r, injectRatio: r.injectMs / r.rawInjectMs, rollbackRatio: r.rollbackMs / r.rawRollbackMs };
}

function table(results: KindResult[]): string {
    const f = (ms: number) => `${Math.round(ms)}`;
    const x = (r: number) => `${r.toFixed(2)}×`;
    const rows = [
        ["case", "inject", "raw", "ratio", "rollback", "raw", "ratio", "create", "delete", "cold create", "inject ≤1s", "≤1.5× raw"],
        ...results.map((r) => [
            r.name,
            f(r.injectMs),
            f(r.rawInjectMs),
            x(r.injectRatio),
            f(r.rollbackMs),
            f(r.rawRollbackMs),
            x(r.rollbackRatio),
            f(r.createMs),
            f(r.deleteMs),
            f(r.coldCreateMs),
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
    const modules = driverModules();
    const cases = loadCases().filter((c) => !opts.kinds || opts.kinds.includes(c.kind) || opts.kinds.includes(c.name ?? ""));
    for (const k of modules.keys()) if (!cases.some((c) => c.kind === k) && !opts.kinds) log(`no benchmark case for ${k} (add one in scripts/bench/cases/)`);
    for (const c of cases) if (!modules.has(c.kind)) throw new Error(`no registered Docker driver for benchmark case ${c.name ?? c.kind}`);
    if (cases.length === 0) throw new Error(`no benchmark case matches --kinds ${opts.kinds?.join(",")}`);

    const id = randomBytes(3).toString("hex");
    const run: BenchRun = { id, labels: { "dev.faultline.bench": id } };
    const results: KindResult[] = [];
    const refused: Refused[] = [];
    const info = (await dockerClient().info()) as { NCPU: number; ServerVersion: string };
    const load = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    const loadBefore = load();
    log(`fault benchmark ${id}: ${opts.runs} runs per case (+1 cold), Docker ${info.ServerVersion}, ${info.NCPU} CPUs, load ${loadBefore}`);
    try {
        for (const c of cases) {
            const r = await benchCase(c, modules.get(c.kind)!, run, opts.runs, log);
            if ("reason" in r) refused.push(r);
            else results.push(r);
        }
    } finally {
        await cleanupRun(id);
        // Reapers, helpers and armed-fault volumes of this run carry its stack label.
        const filters = JSON.stringify({ label: [`dev.faultline.stack=bench-${id}`] });
        for (const c of await dockerClient().listContainers({ all: true, filters })) {
            await dockerClient().getContainer(c.Id).remove({ force: true }).catch(() => undefined);
        }
        for (const v of (await dockerClient().listVolumes({ filters })).Volumes ?? []) {
            await dockerClient().getVolume(v.Name).remove().catch(() => undefined);
        }
    }
    // With --json, stdout carries the JSON alone and the table goes to stderr.
    const out = opts.json ? process.stderr : process.stdout;
    out.write(`\nmedians of ${opts.runs} runs, in ms (inject: create start → observable; rollback: delete start → probe healthy); `);
    out.write(`Docker ${info.ServerVersion}, ${info.NCPU} CPUs, load average ${loadBefore} before and ${load()} after\n`);
    out.write(`${table(results)}\n`);
    for (const r of refused) out.write(`${r.name}: refused at preview on this machine (as intended): ${r.reason}\n`);
    if (opts.json) {
        process.stdout.write(`${JSON.stringify({ runs: opts.runs, docker: info.ServerVersion, cpus: info.NCPU, load: loadBefore, results, refused }, null, 2)}\n`);
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
