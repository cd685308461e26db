// The component classes an AWS kind's `build` declares its resources with (core/defineFault.ts, defineAwsFault). A
// kind file imports only the type: it stays free of @pulumi/*, so the registry that lists it can be bundled into the
// reapers; the program passes awsLib() in. Loading @pulumi/aws takes seconds, so it happens at the first AWS entry.
import type { FisExperimentRun } from "./FisExperimentRun";
import type { FisExperimentTemplate } from "./FisExperimentTemplate";

/** What an AWS kind declares its resources with. */
export interface AwsLib {
    /** The FIS template component (FisExperimentTemplate.ts). */
    readonly FisExperimentTemplate: typeof FisExperimentTemplate;
    /** The FIS run component (FisExperimentRun.ts). */
    readonly FisExperimentRun: typeof FisExperimentRun;
}

let lib: AwsLib | undefined;

/** The AWS kinds' component classes, loaded at the first AWS entry built. */
export function awsLib(): AwsLib {
    lib ??= {
        FisExperimentTemplate: (require("./FisExperimentTemplate") as typeof import("./FisExperimentTemplate")).FisExperimentTemplate,
        FisExperimentRun: (require("./FisExperimentRun") as typeof import("./FisExperimentRun")).FisExperimentRun,
    };
    return lib;
}
