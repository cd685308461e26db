// aws:fis-experiment-run: one run of an existing FIS template; `up` starts it, `destroy` stops it.
import { z } from "zod";
import { defineAwsFault } from "../../core/defineFault";
import { driver } from "../drivers/fisExperiment";
import type { AwsLib } from "../lib";
import { FisRunOptions } from "../fisSpec";

/** An `aws:fis-experiment-run` entry: the template's id (a string: an experiment file has no Outputs) and the options. */
export const FisExperimentRunEntrySpec = z.object({ templateId: z.string().min(1, "must not be empty") }).extend(FisRunOptions.shape).strict();

export const fault = defineAwsFault({
    kind: "aws:fis-experiment-run",
    component: "FisExperimentRun",
    schema: FisExperimentRunEntrySpec,
    up: "starts the experiment on `up` (waits until running), stops it on `destroy` and waits for a final state",
    revert: "the actions' durations",
    docs: "[docs/kubernetes-aws.md](docs/kubernetes-aws.md)",
    module: __filename,
    // The reaper and `recover` find the run's driver by the kind its FaultResource records (the same kind).
    reverter: driver,
    build: (lib: AwsLib, name, args, opts) => new lib.FisExperimentRun(name, args, opts),
});
