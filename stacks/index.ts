// The Pulumi program: one stack is one experiment. It reads the experiment from the selected stack's config
// (stacks/Pulumi.<stack>.yaml, key `faultline:experiment`), validates it, and declares its faults.
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec } from "../components/core/errors";
import { ExperimentSpec } from "../components/experiment";
import { buildExperiment } from "./program";

// `faultline run|plan --experiment <file>` points FAULTLINE_EXPERIMENT_FILE at a temporary copy of the experiment, so
// the stack's own file is never rewritten (runner/pulumi.ts).
const copy = process.env.FAULTLINE_EXPERIMENT_FILE;
const raw: unknown = copy ? JSON.parse(readFileSync(copy, "utf8")) : new pulumi.Config("faultline").requireObject<unknown>("experiment");
const spec = parseSpec(ExperimentSpec, raw, "experiment", "faultline:experiment");

export const { experiment, faults, sandbox, reaper } = buildExperiment(spec);
