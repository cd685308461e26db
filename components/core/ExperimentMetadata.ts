import * as pulumi from "@pulumi/pulumi";
import { REAPER_MODULES } from "./FaultResource";
import { moduleSpecifier } from "./modules";
import { providerStub } from "./providerStub";
import { StubbedResource } from "./stubbedResource";

/** Who signed off an experiment that runs in production. */
export interface ExperimentApproval {
    /** Who approved it. */
    by: string;
    /** When it was approved (ISO 8601). */
    at: string;
    /** Until when the approval holds (ISO 8601); the policy pack denies the experiment after that. */
    expires: string;
    /** The change ticket that records the approval. */
    ticket: string;
}

/**
 * Inputs of the experiment metadata resource: what an experiment says about itself, as the policy pack reads it.
 * Counts instead of the probes and stop conditions themselves keep the resource small and free of secrets.
 */
export interface ExperimentMetadataArgs {
    /** The experiment's name; faults name it in `owner.experiment`. */
    name: string;
    owner?: string;
    description?: string;
    /** What should stay true while the faults are in. */
    hypothesis?: string;
    /** How many steady-state probes check the hypothesis. */
    steadyStateProbes: number;
    /** How many stop conditions can abort the experiment. */
    stopConditions: number;
    /** Where it runs, e.g. "staging"; "production" needs an approval. */
    environment?: string;
    approval?: Partial<ExperimentApproval>;
    /** Lets two faults of this experiment hit the same target. */
    allowSharedTargets?: boolean;
    /**
     * When the experiment has Docker faults: how long (ms, the longest fault time-to-live) to keep the stack's Docker
     * reaper standing by. The resource starts it before the faults go in, so arming each fault is a file written
     * into a running container rather than a container start on the fault's path. It leaves with the resource, or
     * on its own once this long has passed.
     */
    reaperStandbyMs?: number;
}

/** The experiment spec fields that {@link experimentMetadataArgs} reads (a structural subset of ExperimentSpec). */
export interface ExperimentLike {
    name: string;
    owner?: string;
    description?: string;
    hypothesis?: { text?: string; probes?: readonly unknown[] };
    stopConditions?: readonly unknown[];
    environment?: { name?: string; production?: boolean };
    approval?: Partial<ExperimentApproval>;
    allowSharedTargets?: boolean;
}

/** What an experiment spec declares, in the shape of {@link ExperimentMetadataArgs}. */
export function experimentMetadataArgs(spec: ExperimentLike): ExperimentMetadataArgs {
    const environment = spec.environment?.production ? "production" : spec.environment?.name;
    return {
        name: spec.name,
        steadyStateProbes: spec.hypothesis?.probes?.length ?? 0,
        stopConditions: spec.stopConditions?.length ?? 0,
        ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
        ...(spec.description !== undefined ? { description: spec.description } : {}),
        ...(spec.hypothesis?.text ? { hypothesis: spec.hypothesis.text } : {}),
        ...(environment !== undefined ? { environment } : {}),
        ...(spec.approval !== undefined ? { approval: spec.approval } : {}),
        ...(spec.allowSharedTargets !== undefined ? { allowSharedTargets: spec.allowSharedTargets } : {}),
    };
}

/**
 * An experiment's metadata as a resource of its stack (type `pulumi-nodejs:dynamic/faultline:Experiment`), so that
 * the policy pack can check, across the stack, that every fault belongs to an experiment with a hypothesis,
 * steady-state probes and stop conditions, and that production experiments are approved. It never touches a target;
 * with Docker faults it starts the stack's reaper ahead of them (`reaperStandbyMs`).
 */
export class ExperimentMetadata extends StubbedResource {
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: ExperimentMetadataArgs, opts?: pulumi.CustomResourceOptions) {
        const provider = providerStub(
            moduleSpecifier(require.resolve("./experimentMetadataProvider")),
            "experimentMetadataProvider",
            [pulumi.getProject(), pulumi.getStack(), REAPER_MODULES.docker],
            ["diff", "update", "delete"],
        );
        super(provider, name, { ...args }, opts, "faultline", "Experiment");
    }
}
