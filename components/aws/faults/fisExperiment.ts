// aws:fis-experiment: a FIS experiment template from the typed action catalog, and its run when the entry has `run`.
import { defineAwsFault } from "../../core/defineFault";
import type { AwsLib } from "../lib";
import { FisExperimentTemplateSpec, FisRunOptions } from "../fisSpec";

/** An `aws:fis-experiment` entry: the template, and `run` (present means `up` starts the template too). */
export const FisExperimentEntrySpec = FisExperimentTemplateSpec.extend({ run: FisRunOptions.optional() });

export const fault = defineAwsFault({
    kind: "aws:fis-experiment",
    component: "FisExperimentTemplate",
    schema: FisExperimentEntrySpec,
    up: "an FIS template from a typed action catalog (ec2 stop/terminate, ecs stop-task/drain, eks pod actions, network disrupt-connectivity, rds failover/reboot, ssm CPU stress, fis inject-api errors), targets by tags or ARNs with a selection mode, a CloudWatch-alarm stop condition, a least-privilege role and logs",
    revert: "FIS action durations (≤ ttl)",
    docs: "[docs/kubernetes-aws.md](docs/kubernetes-aws.md)",
    module: __filename,
    // The template keeps the entry's name; its run, `<name>-run`, starts it by the template's id (an Output).
    build: (lib: AwsLib, name, args, opts) => {
        const { run, ...template } = args;
        const t = new lib.FisExperimentTemplate(name, template, opts);
        if (run) new lib.FisExperimentRun(`${name}-run`, { ...run, templateId: t.templateId, ttl: template.ttl, ...(template.experiment ? { experiment: template.experiment } : {}) }, opts);
        return t;
    },
});
