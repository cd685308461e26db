// What a fault kind brings to the fault benchmark (scripts/bench/faults.ts): a target to break, the spec the driver
// injects, how to see the fault on the target, the health probe, and the raw commands that do the same by hand.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { drivers } from "../../components/registry";

/** Labels and names every benchmark object carries, so one run cleans up exactly what it created. */
export interface BenchRun {
    /** Short random id of this benchmark run. */
    id: string;
    /** Labels to put on every container and network a case creates. */
    labels: Record<string, string>;
}

/** One fault kind's benchmark. `Ctx` is whatever `setup` returns (names, ids, baselines). */
export interface BenchCase<Ctx = unknown> {
    /** The driver kind, as registered in components/registry.ts. */
    kind: string;
    /** What the row is called when a kind has several cases (the Toxiproxy toxic types); defaults to the kind. */
    name?: string;
    /** Creates the targets; returns what the other functions need. */
    setup(run: BenchRun): Promise<Ctx>;
    /** The spec as a user writes it (the provider's check parses it). */
    spec(ctx: Ctx): unknown;
    /** True once the fault is observable on the target (the probe fails, the counter moved). */
    observed(ctx: Ctx): Promise<boolean>;
    /** True once the target's health probe passes again after a rollback. */
    healthy(ctx: Ctx): Promise<boolean>;
    /** The raw commands (argv lists, run one after the other) that inject the same fault by hand. */
    rawInject(ctx: Ctx): string[][];
    /** The raw commands that roll it back by hand. */
    rawRevert(ctx: Ctx): string[][];
    /** Removes what setup created (the runner also removes everything labelled with the run). */
    teardown?(ctx: Ctx): Promise<void>;
}

const execFileP = promisify(execFile);

/** Runs one command, failing with its stderr when it fails. */
export async function sh(argv: string[]): Promise<string> {
    const [cmd, ...args] = argv;
    const { stdout } = await execFileP(cmd!, args, { timeout: 60_000 });
    return stdout;
}

/** Every case in scripts/bench/cases/ (a module exports `benchCase` or `benchCases`). */
export function loadCases(): BenchCase<any>[] {
    const dir = path.join(__dirname, "cases");
    const cases: BenchCase<any>[] = [];
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".ts") || f.endsWith(".js")).sort()) {
        const m = require(path.join(dir, f)) as { benchCase?: BenchCase<any>; benchCases?: BenchCase<any>[] };
        cases.push(...(m.benchCase ? [m.benchCase] : []), ...(m.benchCases ?? []));
    }
    return cases;
}

/** The module of each registered Docker driver, by kind: the provider loads its driver by path, as in a stack. */
export function driverModules(): Map<string, string> {
    const dir = path.join(__dirname, "../../components/docker/faults");
    const modules = new Map<string, string>();
    for (const f of fs.readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"))) {
        const file = path.join(dir, f);
        const kind = (require(file) as { driver?: { kind?: string } }).driver?.kind;
        if (kind && drivers[kind]) modules.set(kind, file);
    }
    return modules;
}
