/**
 * Labels are the source of truth on a target: everything a fault creates (helper and reaper containers, rules,
 * toxics) carries them, and `recover`, `refresh`, the reaper and the policy pack find things by them, never by
 * guessing from names.
 */
export const LABEL_PREFIX = "dev.faultline";

// The opt-in label lives with the policy pack (which imports nothing of ours), so the pack and the provider share it.
export { OPT_IN_LABEL, OPT_IN_VALUE } from "../../spec/optIn";

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
    /**
     * The experiment's explicit opt-out of the opt-in label (`allowUnlabelledTargets: true`): the provider then
     * warns about unlabelled targets instead of refusing them. Absent (never false) otherwise, so stacks that do
     * not use it keep the owner they had.
     */
    allowUnlabelledTargets?: true;
}

/**
 * True for a container (by its labels) that faultline itself runs: reapers, helpers, stressors, anything marked
 * `dev.faultline.managed=true`. A fault on one of them would take down the rollback of every other fault, so no
 * selector ever matches one and no fault may name one. (Sandbox and demo containers carry a role but not
 * `managed`: they are the system under test.)
 */
export function isFaultlineOwn(labels: Record<string, string> | undefined): boolean {
    // Plain comparisons, no Set: the dynamic provider's code is serialized into state by value, and a Set does not
    // survive that.
    const role = labels?.[Labels.role];
    return labels?.[Labels.managed] === "true" || role === "reaper" || role === "helper";
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
