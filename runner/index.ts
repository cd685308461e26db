// The runner's API (`import { runExperiment } from "faultline/runner"`): what `faultline plan|run|rollback|recover`
// do, for programs of the user's own (a CI job, a game-day script). Call useFaultlineEnv() first, as the CLI does.
export { faultlineEnv, findProjectRoot, PROJECT_ROOT, useFaultlineEnv } from "./env";
export { initProject, type InitOptions, type InitResult } from "./init";
export { planExperiment, renderPlan, type Plan, type PlanOptions } from "./plan";
export { recover, type RecoverOptions, type RecoverReport } from "./recover";
export { rollBack, runExperiment, type RunEvent, type RunOptions, type RunResult } from "./run";
