// The Pulumi program: one stack is one experiment. It reads the experiment from the selected stack's config
// (stacks/Pulumi.<stack>.yaml, key `faultline:experiment`), validates it, and declares its faults.
import * as pulumi from "@pulumi/pulumi";
import { parseSpec } from "../components/core/errors";
import { ExperimentSpec } from "../components/experiment";
import { buildExperiment } from "./program";

const config = new pulumi.Config("faultline");
const spec = parseSpec(ExperimentSpec, config.requireObject<unknown>("experiment"), "experiment", "faultline:experiment");

export const { experiment, faults, sandbox, reaper } = buildExperiment(spec);
