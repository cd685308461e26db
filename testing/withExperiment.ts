// withExperiment: the runner's probes and verdict around a test's own actions. The same phases as `faultline run`
// (runner/run.ts runPhases: steady state, inject, fault window, rollback, recovery, judge) over a fault path that
// injects through the drivers like withFault (components/core/lifecycle.ts), with no Pulumi stack; the fault
// window is the test's own block.
import type { RevertOutcome } from "../components/core/driver";
import { parseSpec } from "../components/core/errors";
import type { FaultOwner } from "../components/core/labels";
import { ExperimentSpec, type ExperimentInput } from "../components/experiment";
import { drivers } from "../components/registry";
import { faultSpecOf } from "../spec/experiment";
import { ExperimentRefusedError } from "../runner/errors";
import { provenanceOf } from "../runner/evidence/provenance";
import type { Evidence } from "../runner/evidence/schema";
import { describeFaults } from "../runner/experiment";
import { watchHalt } from "../runner/halt";
import { refuseUnobservable, RunState, runPhases, type FaultPath, type RunEvent, type RunResult } from "../runner/run";
import { startFault, type InjectedFault, type WithFaultOptions } from "./withFault";

/** Options of {@link withExperiment}. */
export interface WithExperimentOptions extends WithFaultOptions {
    /** Throw {@link ExperimentRefutedError} when the hypothesis is refuted (and on an aborted run). Defaults to true. */
    throwOnRefuted?: boolean;
    /** Where evidence.json, report.md and report.html go. Defaults to .faultline/runs/<owner stack>/<run id>/. */
    outDir?: string;
    /** Aborts the run: the block's window ends at once and rollback starts. */
    signal?: AbortSignal;
    /** Phases, progress, stop conditions, log lines and every probe sample, as `faultline run` reports them. */
    onEvent?: (event: RunEvent) => void;
}

/** Thrown by {@link withExperiment} when the hypothesis did not hold: names the violated SLOs, like an assertion. */
export class ExperimentRefutedError extends Error {
    override name = "ExperimentRefutedError";
    /** Test runners print these as an assertion's actual and expected values. */
    readonly actual: string;
    readonly expected = "held";
    constructor(readonly result: RunResult) {
        const e = result.evidence;
        const violations = e.violations.length ? e.violations.map((v) => `\n  - ${v}`).join("") : "";
        super(`experiment "${e.experiment}" ${e.verdict}: ${e.reason}${violations}\n  report: ${result.files.html}`);
        this.actual = e.verdict;
    }
}

/** Refuses, before anything is touched, a fault whose kind withExperiment cannot inject: those without a Docker driver. */
function checkKinds(spec: ExperimentSpec): void {
    spec.faults.forEach((f, i) => {
        if (drivers[f.kind]?.target !== "docker") {
            throw new ExperimentRefusedError(`experiment.faults[${i}].kind`, `withExperiment injects Docker faults through their drivers; "${f.kind}" needs \`faultline run\` (a Pulumi stack)`);
        }
    });
}

/** The fault path of withExperiment: each fault through startFault (the shared inject), reverted at rollback. */
function driverPath(handles: Record<string, InjectedFault>, opts: WithExperimentOptions): FaultPath {
    const reverts: { fault: string; revert: () => Promise<RevertOutcome> }[] = [];
    return {
        async inject(s) {
            s.enter("inject", "injecting the faults (through their drivers, no Pulumi stack)");
            // One after another: a failure leaves only faults that are fully in (and listed for rollback).
            for (const f of s.spec.faults) {
                const owner: FaultOwner = {
                    project: opts.owner?.project ?? "faultline",
                    stack: s.opts.stack,
                    experiment: s.spec.name,
                    fault: f.name,
                    kind: f.kind,
                    ...(s.spec.allowUnlabelledTargets ? { allowUnlabelledTargets: true as const } : {}),
                };
                const { fault, revert } = await startFault({ driver: drivers[f.kind]!, spec: faultSpecOf(f), ttlMs: f.ttl, owner }, opts);
                reverts.push({ fault: f.name, revert });
                handles[f.name] = fault;
                s.injectedFault({ fault: f.name, kind: f.kind, record: fault.record, owner }, fault.injectedAt.getTime());
            }
        },
        async rollback(s) {
            const start = performance.now();
            const failed: string[] = [];
            for (const r of reverts) {
                await r.revert().catch((err: unknown) => failed.push(`${r.fault}: ${String(err)} (its reaper reverts it at the TTL)`));
            }
            const error = failed.length ? failed.join("; ") : null;
            const result: Evidence["rollback"]["result"] = error ? "failed" : "succeeded";
            return { performed: true, result, attempts: 1, cleared_pending_creates: false, duration_ms: Math.round(performance.now() - start), error };
        },
        provenance: (s) => provenanceOf(s.opts.stack, s.spec, null, s.exp.secrets),
    };
}

/**
 * Runs an experiment around the test's own actions and returns its verdict and evidence:
 *
 * ```ts
 * const result = await withExperiment(experiment, async (faults) => {
 *     await placeOrders(20); // the test's own steps, while the faults are in
 * });
 * ```
 *
 * The steady state is measured by the hypothesis probes through `timing.warmup` (nothing is injected unless it
 * holds); the faults go in through their drivers with a reaper armed (as withFault); `fn` runs with them in, and
 * its run is the fault window (stop conditions still end it early); then rollback, recovery within
 * `timing.recoveryDeadline`, and the judgement, with evidence files as `faultline run` writes them. Each fault's TTL
 * must outlast `fn`. Throws {@link ExperimentRefutedError} when refuted or aborted (unless `throwOnRefuted: false`),
 * and `fn`'s own error, if it threw, after rollback.
 */
export async function withExperiment(input: ExperimentInput | unknown, fn: (faults: Readonly<Record<string, InjectedFault>>) => Promise<void> | void, opts: WithExperimentOptions = {}): Promise<RunResult> {
    const spec = parseSpec(ExperimentSpec, input, "experiment", "experiment");
    checkKinds(spec);
    refuseUnobservable(spec, "experiment");
    const handles: Record<string, InjectedFault> = {};
    let failure: { err: unknown } | undefined;
    let acting: Promise<void> | undefined;
    // The action never throws into the run: its error is the test's, rethrown after rollback.
    const action = () => (acting = (async () => fn(handles))().catch((err: unknown) => void (failure = { err })));
    // The halt lever, pulled mid-run, aborts the run like Ctrl-C: it rolls back and ends aborted (runner/halt.ts).
    const halt = watchHalt(opts.signal);
    let result: RunResult;
    try {
        const stack = opts.owner?.stack ?? "testing";
        const runOpts = { stack, signal: halt.signal, ...(opts.outDir ? { outDir: opts.outDir } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) };
        const s = new RunState(runOpts, { spec, descriptions: describeFaults(spec), secrets: [] }, driverPath(handles, opts));
        result = await runPhases(s, action);
        await acting;
    } finally {
        halt.stop();
    }
    if (failure) throw failure.err;
    if (result.exitCode !== 0 && opts.throwOnRefuted !== false) throw new ExperimentRefutedError(result);
    return result;
}
