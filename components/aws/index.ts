// The AWS components: each registered AWS kind's component class (components/registry.ts, AWS_FAULTS), written out
// because TypeScript needs each exported name. The check below is against the registry: a registered kind whose
// class is missing here is a type error, and so is a name not registered.
import type { AwsFault } from "../registry";
import { FisExperimentRun } from "./FisExperimentRun";
import { FisExperimentTemplate } from "./FisExperimentTemplate";

/** Every registered AWS kind's component, by class name; the object literal's excess-property check refuses others. */
const _everyKindExported: { [D in AwsFault as D["component"]]: unknown } = { FisExperimentTemplate, FisExperimentRun };

export { FisExperimentRun, type FisExperimentRunArgs } from "./FisExperimentRun";
export { FisExperimentTemplate, type FisExperimentTemplateArgs } from "./FisExperimentTemplate";
