// The package's main entry (`import { docker, kubernetes, aws, Experiment } from "faultline"`): the fault
// components by target, and whole experiments (stacks/Experiment.ts) for a user's own Pulumi program.
export * from "../components";
export { Experiment } from "./Experiment";
export type { ExperimentInput, ExperimentSpec } from "../components/experiment";
