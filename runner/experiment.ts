// The one way `plan` and `run` open a stack's experiment: the stack, its experiment parsed once, what each fault will
// break in words, and the secrets every output redacts. Neither command loads an experiment any other way.
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { parseSpec, type SpecIssue } from "../components/core/errors";
import { ExperimentSpec } from "../components/experiment";
import { driverFor, drivers } from "../components/registry";
import { faultSpecOf } from "../spec/experiment";
import { EXPERIMENT_TYPE, FAULTLINE_TYPE_PREFIX } from "../spec/resourceTypes";
import { ExperimentRefusedError } from "./errors";
import { experimentConfigOf, openStack, stackConfig, stackState } from "./pulumi";
import { listReapers } from "./recover";
import { secretValues } from "./redact";

/** An experiment ready to plan or run. */
export interface LoadedExperiment {
    stack: Stack;
    spec: ExperimentSpec;
    /** One sentence per fault, by name: what it will break. */
    descriptions: Record<string, string>;
    /** The stack's Pulumi secret config values, which every printed or written output redacts. */
    secrets: string[];
}

/** A fault target resolved at preview, for the blast-radius check and the plan. */
export interface PlannedTarget {
    fault: string;
    target: string;
}

/**
 * Validates the experiment of a stack (`override`, else the one in its config as `getAllConfig` returned it): parsed
 * once, here.
 */
export function loadExperiment(stack: Stack, config: Record<string, { value: string }>, override?: unknown): { spec: ExperimentSpec } {
    const raw = override ?? experimentConfigOf(config);
    if (raw === undefined) {
        throw new ExperimentRefusedError("faultline:experiment", `stack "${stack.name}" has no experiment; add it to stacks/Pulumi.${stack.name}.yaml`);
    }
    const spec = parseSpec(ExperimentSpec, raw, "experiment", "faultline:experiment");
    // The spec holds faults to the window only when timing.duration is written; a run always has a window.
    const short = spec.faults.find((f) => f.ttl < spec.timing.duration);
    if (short) {
        throw new ExperimentRefusedError(
            `faultline:experiment.faults.${short.name}.ttl`,
            `the ttl (${short.ttl} ms) is shorter than the fault window (timing.duration, ${spec.timing.duration} ms): its reaper would revert it mid-window; raise the ttl or shorten timing.duration`,
        );
    }
    return { spec };
}

/** Opens a stack (writing `override` into its config when given) and loads its experiment: what plan and run share. */
export async function openExperiment(stackName: string, override?: unknown): Promise<LoadedExperiment> {
    // --experiment runs from a temporary copy: the stack's own file is never rewritten (runner/pulumi.ts).
    const stack = await openStack(stackName, override !== undefined ? { experimentCopy: override } : {});
    // One config read serves both the experiment and the secrets.
    const config = await stackConfig(stack);
    const { spec } = loadExperiment(stack, config, override);
    return { stack, spec, descriptions: describeFaults(spec), secrets: secretValues(config) };
}

/** One sentence per fault: what it will break, from its driver (kinds without one are named by their kind). */
export function describeFaults(spec: ExperimentSpec): Record<string, string> {
    return Object.fromEntries(
        spec.faults.map((f) => {
            try {
                const driver = driverFor(f.kind);
                return [f.name, driver.describe(driver.schema.parse(faultSpecOf(f)))];
            } catch {
                return [f.name, f.kind];
            }
        }),
    );
}

/** An engine event listener that collects the targets each fault resource resolved at preview. */
export function collectTargets(into: PlannedTarget[]): (e: EngineEvent) => void {
    return (e) => {
        const meta = e.resourcePreEvent?.metadata;
        const inputs = meta?.new?.inputs as { targets?: Array<{ name: string }>; owner?: { fault?: string } } | undefined;
        if (!meta || !meta.type.includes("faultline:") || !inputs?.targets) return;
        for (const t of inputs.targets) into.push({ fault: inputs.owner?.fault ?? meta.urn.split("::").pop() ?? "", target: t.name });
    };
}

/**
 * An engine event listener for a preview, and whether the `up` after it may go without intermediate checkpoints
 * (runner/pulumi.ts withoutCheckpoints): true while every custom resource the preview plans is a provider, a Docker
 * fault (armed in its stack's reaper before it goes in, so a killed up's faults are found without the state) or the
 * experiment resource (its standby reaper expires; `recover` expires it at once). A Compose environment, Kubernetes
 * and AWS resources, or anything else a program adds, have no record outside the state: an up with any keeps every
 * checkpoint.
 */
export function checkpointFreeUp(): { onEvent: (e: EngineEvent) => void; holds: () => boolean } {
    let holds = true;
    return {
        onEvent: (e) => {
            const meta = e.resourcePreEvent?.metadata;
            const next = meta?.new as { custom?: boolean; inputs?: { kind?: unknown } } | undefined;
            if (!meta || !next?.custom || meta.type.startsWith("pulumi:providers:") || meta.type === EXPERIMENT_TYPE) return;
            const kind = next.inputs?.kind;
            if (!(meta.type.startsWith(FAULTLINE_TYPE_PREFIX) && typeof kind === "string" && kind.startsWith("docker:"))) holds = false;
        },
        holds: () => holds,
    };
}

/**
 * What a stack already holds before a run: resources in its state (another `pulumi up`, or a run that never rolled
 * back) and faults armed in its reapers that the state does not know (an `up` killed mid-way). A run on top of them
 * would judge their effect together with its own.
 */
export async function heldFaults(stack: Stack): Promise<string[]> {
    // One export of the state answers both what is in it and which ids its reapers may guard.
    const { live, ids } = await stackState(stack);
    const inState = live.map((r) => `${r.urn.split("::").pop()} (${r.type.split(":").pop()})`);
    // A fault in the state is armed too: only the armed ones the state does not hold are listed on their own.
    const armed = (await listReapers(stack.name)).filter((r) => !ids.has(r.id)).map((r) => `${r.fault} (${r.kind}, armed in reaper ${r.name})`);
    return [...inState, ...armed];
}

/**
 * Checks every Docker fault's targets on the live engine (each driver's `checkTargets`): containers, networks,
 * Toxiproxy instances and proxies must exist and be in the state the fault needs. Paths name the experiment's field,
 * e.g. `faultline:experiment.faults[0].container`. Empty for an experiment whose own sandbox (environment.compose)
 * creates its targets: they are checked at inject, once it is up.
 */
export async function missingTargets(spec: ExperimentSpec): Promise<SpecIssue[]> {
    if (spec.environment.compose) return [];
    const perFault = await Promise.all(
        spec.faults.map(async (f, i): Promise<SpecIssue[]> => {
            const check = drivers[f.kind]?.checkTargets;
            if (!check) return [];
            const at = `faultline:experiment.faults[${i}]`;
            try {
                return (await check(faultSpecOf(f))).map((x) => ({ path: x.path.replace(/^spec(?=$|[.[])/, at), message: x.message }));
            } catch (err) {
                return [{ path: at, message: `could not check the targets of fault "${f.name}": ${err instanceof Error ? err.message : String(err)}` }];
            }
        }),
    );
    return perFault.flat();
}
