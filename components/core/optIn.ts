// The provider's own safety check of a fault's targets, run at preview (`check`) and again right before a fault goes
// in (`create`): it holds for a plain `pulumi up` that never loads the policy pack.
import type { PlannedTarget } from "./driver";
import type { SpecIssue } from "./errors";
import { OPT_IN_LABEL, OPT_IN_VALUE } from "../../spec/optIn";
import { isFaultlineOwn, type FaultOwner } from "./labels";

/** What {@link targetIssues} found: issues that refuse the fault, and warnings to print when it goes ahead. */
export interface TargetVerdict {
    issues: SpecIssue[];
    warnings: string[];
}

/** The one-line fix for an unlabelled target, naming the label and the opt-out field. */
function optInFix(name: string): string {
    const label = `${OPT_IN_LABEL}=${OPT_IN_VALUE}`;
    return (
        `"${name}" is not opted in to faults: it lacks the label ${label}; add it (\`docker run --label ${label}\`, ` +
        `or in compose \`labels: { ${OPT_IN_LABEL}: "${OPT_IN_VALUE}" }\`), or opt this experiment out with ` +
        "allowUnlabelledTargets: true"
    );
}

/**
 * Checks the targets a Docker fault resolved to: faultline's own reapers and helpers are refused whatever the
 * options (a fault on a reaper would disable every rollback it guards), and a target without the opt-in label is
 * refused unless the fault's owner opted out (`allowUnlabelledTargets`), in which case it is only warned about.
 * Issues are reported at `targets`, the input that lists what the fault will hit.
 */
export function targetIssues(targets: readonly PlannedTarget[], owner: Pick<FaultOwner, "fault" | "allowUnlabelledTargets">): TargetVerdict {
    const issues: SpecIssue[] = [];
    const warnings: string[] = [];
    for (const t of targets) {
        if (isFaultlineOwn(t.labels)) {
            issues.push({ path: "targets", message: `"${t.name}" is one of faultline's own reapers or helpers, which no fault may target; name the container under test instead` });
        } else if (t.labels[OPT_IN_LABEL] !== OPT_IN_VALUE) {
            if (owner.allowUnlabelledTargets) {
                warnings.push(`fault "${owner.fault}" targets "${t.name}" without the label ${OPT_IN_LABEL}=${OPT_IN_VALUE}, because the experiment set allowUnlabelledTargets: true`);
            } else {
                issues.push({ path: "targets", message: optInFix(t.name) });
            }
        }
    }
    return { issues, warnings };
}
