// What a fault kind brings to the fault benchmark (scripts/bench/faults.ts): a target to break, the spec the driver
// injects, how to see the fault on the target, the health probe, and the raw commands that do the same by hand.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

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
