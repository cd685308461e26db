export { FisExperimentRun, type FisExperimentRunArgs } from "./FisExperimentRun";
export { FisExperimentTemplate, type FisExperimentTemplateArgs } from "./FisExperimentTemplate";
