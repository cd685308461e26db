// An experiment declared in a user's own Pulumi program (`import { Experiment } from "faultline"`): the same
// experiment as a stack's `faultline:experiment`, validated the same way and built by the same code as faultline's
// own program (stacks/program.ts), so preview, the policy pack, the TTL reapers and rollback are the same.
import { parseSpec } from "../components/core/errors";
import { ExperimentSpec, type ExperimentInput } from "../components/experiment";
import { buildExperiment } from "./program";

/**
 * An experiment of faultline in any Pulumi program: its metadata for the policy pack, its environment, its fault
 * components and their reapers. `outputs` is what faultline's own program exports for a stack (export it too, so
 * `faultline plan|run` and the policy pack read the same stack outputs).
 */
export class Experiment {
    /** The parsed experiment (durations in milliseconds, defaults filled in). */
    readonly spec: ExperimentSpec;
    /** What faultline's program exports for this experiment: its name, faults, sandbox and reaper. */
    readonly outputs: ReturnType<typeof buildExperiment>;

    /** Validates `spec` (every problem named by field, as in a stack file) and declares its resources. */
    constructor(spec: ExperimentInput) {
        this.spec = parseSpec(ExperimentSpec, spec, "experiment", "new Experiment(...)");
        this.outputs = buildExperiment(this.spec);
    }
}
