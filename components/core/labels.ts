/**
 * Labels are the source of truth on a target: everything a fault creates (helper and reaper containers, rules,
 * toxics) carries them, and `recover`, `refresh`, the reaper and the policy pack find things by them, never by
 * guessing from names.
 */
export const LABEL_PREFIX = "dev.faultline";

export const Labels = {
    /** Always "true" on anything faultline created. */
    managed: `${LABEL_PREFIX}.managed`,
    project: `${LABEL_PREFIX}.project`,
    stack: `${LABEL_PREFIX}.stack`,
    experiment: `${LABEL_PREFIX}.experiment`,
    /** The Pulumi resource name of the fault. */
    fault: `${LABEL_PREFIX}.fault`,
    /** The fault kind, e.g. `docker:network-disconnect`. */
    kind: `${LABEL_PREFIX}.kind`,
    /** What the labelled object is to faultline: `reaper`, `helper`, `sandbox`, `demo`. */
    role: `${LABEL_PREFIX}.role`,
    /** The environment (Compose project or DockerSandbox prefix) a demo or sandbox object belongs to. */
    sandbox: `${LABEL_PREFIX}.sandbox`,
} as const;

/**
 * The kind of a reaper's standby record (an experiment's, see ExperimentMetadata): nothing to revert, it only keeps
 * the stack's reaper running while faults are armed in it.
 */
export const STANDBY_KIND = "faultline:standby";

/** Who owns a fault: enough to find everything it left on a target. */
export interface FaultOwner {
    project: string;
    stack: string;
    experiment: string;
    fault: string;
    kind: string;
}

/** The labels that mark an object as belonging to one fault. */
export function ownerLabels(owner: FaultOwner): Record<string, string> {
    return {
        [Labels.managed]: "true",
        [Labels.project]: owner.project,
        [Labels.stack]: owner.stack,
        [Labels.experiment]: owner.experiment,
        [Labels.fault]: owner.fault,
        [Labels.kind]: owner.kind,
    };
}
