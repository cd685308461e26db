import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configOf, displayName, FIS_TEMPLATE_TYPE } from "./util";

const ROLE_TYPE = "aws:iam/role:Role";
const ROLE_POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy";
const ROLE_POLICY_ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const ALARM_SOURCE = "aws:cloudwatch:alarm";

/**
 * An FIS experiment stops itself when a CloudWatch alarm fires: without one (stop conditions `none` only), nothing
 * stops it before its actions end, however badly the service suffers.
 */
export const fisStopCondition: ResourceValidationPolicy = {
    name: "fis-stop-condition",
    description: "An FIS experiment template has at least one CloudWatch alarm stop condition, never only `none`.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add a stop condition `{ source: "aws:cloudwatch:alarm", value: <alarm ARN> }` on an alarm that watches the ' +
        "steady state of the service under test (error rate, latency).",
    validateResource: (args, reportViolation) => {
        if (args.type !== FIS_TEMPLATE_TYPE) return;
        const conditions = (args.props.stopConditions ?? []) as { source?: string; value?: string }[];
        if (!conditions.some((c) => c.source === ALARM_SOURCE && typeof c.value === "string" && c.value !== "")) {
            const listed = conditions.map((c) => c.source).join(", ") || "none";
            reportViolation(
                `FIS template "${displayName(args)}" has no CloudWatch alarm stop condition (it has: ${listed}); ` +
                    `add { source: "${ALARM_SOURCE}", value: <alarm ARN> }`,
            );
        }
    },
};

/** FIS targets are chosen by tags or explicit ARNs: a resource type with only filters (or nothing) selects everything. */
export const fisTargetSelection: ResourceValidationPolicy = {
    name: "fis-target-selection",
    description: "FIS targets are selected by resourceTags or resourceArns, never a broad selection over untagged resources.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Give each FIS target `resourceTags` (e.g. chaos.opt-in=true) or an explicit list of `resourceArns`; filters " +
        "alone narrow a selection of every resource of the type in the account and region.",
    validateResource: (args, reportViolation) => {
        if (args.type !== FIS_TEMPLATE_TYPE) return;
        for (const t of (args.props.targets ?? []) as any[]) {
            const byArns = Array.isArray(t.resourceArns) && t.resourceArns.length > 0;
            const byTags = Array.isArray(t.resourceTags) && t.resourceTags.length > 0;
            // Pod and task targets select by a label selector in parameters instead of tags.
            const byLabels = typeof t.parameters?.selectorValue === "string" && t.parameters.selectorValue !== "";
            if (!byArns && !byTags && !byLabels) {
                reportViolation(
                    `FIS target "${t.name}" of template "${displayName(args)}" selects ${t.resourceType} resources by neither ` +
                        `resourceTags nor resourceArns (selectionMode ${t.selectionMode}); select by tags or list ARNs`,
                );
            }
        }
    },
};

/** Every FIS run leaves a record (logs or a report), so a review can see what happened. Advisory. */
export const fisLogging: ResourceValidationPolicy = {
    name: "fis-logging",
    description: "An FIS experiment template logs its runs or writes an experiment report.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
        "Set `logConfiguration` (CloudWatch Logs log group or S3 bucket, logSchemaVersion 2) or " +
        "`experimentReportConfiguration` on the template.",
    validateResource: (args, reportViolation) => {
        if (args.type !== FIS_TEMPLATE_TYPE) return;
        if (!args.props.logConfiguration && !args.props.experimentReportConfiguration) {
            reportViolation(
                `FIS template "${displayName(args)}" keeps no record of its runs; set logConfiguration or experimentReportConfiguration`,
            );
        }
    },
};

/** Configuration of {@link fisRoleScoped}. */
export interface FisRoleScopedConfig {
    /** Managed policies too broad for an FIS role. */
    deniedManagedPolicies: string[];
    /** ARNs of roles declared outside the stack that were reviewed elsewhere and may be used as they are. */
    reviewedRoleArns: string[];
}

const roleDefaults: FisRoleScopedConfig = {
    deniedManagedPolicies: [
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/PowerUserAccess",
        "arn:aws:iam::aws:policy/IAMFullAccess",
    ],
    reviewedRoleArns: [],
};

interface Statement {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
    Principal?: string | { Service?: string | string[]; AWS?: string | string[] };
    Condition?: unknown;
}

function statements(doc: unknown): Statement[] {
    const parsed = typeof doc === "string" ? (JSON.parse(doc) as { Statement?: Statement | Statement[] }) : (doc as any);
    const s = parsed?.Statement ?? [];
    return Array.isArray(s) ? s : [s];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Read-only actions that FIS needs on every resource to resolve its targets. */
const READ_ONLY = /^[a-z0-9-]+:(Describe|List|Get)/i;

function dependsOn(r: PolicyResource, property: string, target: PolicyResource): boolean {
    return (r.propertyDependencies?.[property] ?? []).some((d) => d.urn === target.urn);
}

/**
 * The role FIS assumes can do only what the experiment needs: only FIS can assume it, no administrator-style
 * managed policy, no `*` or `service:*` actions, and no mutating action on every resource without a condition.
 * The role must be declared in the stack (so the pack can read it) unless its ARN is listed as reviewed.
 */
export const fisRoleScoped: StackValidationPolicy = {
    name: "fis-role-scoped",
    description: "The IAM role of an FIS template trusts only FIS and grants only scoped actions.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Declare the role in the experiment stack with a trust policy for fis.amazonaws.com only; grant the listed " +
        "actions its FIS actions need (e.g. ec2:StopInstances, ec2:StartInstances) on the target ARNs or with a Condition " +
        "on aws:ResourceTag/chaos.opt-in; attach no AdministratorAccess-style policy.",
    configSchema: {
        properties: {
            deniedManagedPolicies: { type: "array", items: { type: "string" }, default: roleDefaults.deniedManagedPolicies },
            reviewedRoleArns: { type: "array", items: { type: "string" }, default: roleDefaults.reviewedRoleArns },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configOf(args, roleDefaults);
        const roles = args.resources.filter((r) => r.type === ROLE_TYPE);
        for (const t of args.resources.filter((r) => r.type === FIS_TEMPLATE_TYPE)) {
            const roleArn = t.props.roleArn;
            const role =
                roles.find((r) => dependsOn(t, "roleArn", r)) ??
                roles.find((r) => typeof roleArn === "string" && (r.props.arn === roleArn || roleArn.endsWith(`:role/${r.props.name}`)));
            const tname = displayName(t);
            if (!role) {
                if (typeof roleArn === "string" && cfg.reviewedRoleArns.includes(roleArn)) continue;
                reportViolation(
                    `FIS template "${tname}" uses role ${roleArn ?? "(none)"}, which is not declared in this stack, so its scope ` +
                        "cannot be checked; declare the role in the stack or list its ARN in reviewedRoleArns",
                    t.urn,
                );
                continue;
            }
            const what = `role "${displayName(role)}" of FIS template "${tname}"`;

            for (const s of statements(role.props.assumeRolePolicy)) {
                if (s.Effect !== "Allow") continue;
                const p = s.Principal;
                const principals = typeof p === "string" ? [p] : [...list(p?.AWS), ...list(p?.Service)];
                const others = principals.filter((x) => x !== "fis.amazonaws.com");
                if (others.length > 0) {
                    reportViolation(`${what} can be assumed by ${others.join(", ")}; trust only fis.amazonaws.com`, role.urn);
                }
            }

            const related = (type: string) => args.resources.filter((r) => r.type === type && (dependsOn(r, "role", role) || r.props.role === role.props.name));
            const managed = [...list(role.props.managedPolicyArns), ...related(ROLE_POLICY_ATTACHMENT_TYPE).map((a) => a.props.policyArn as string)];
            for (const arn of managed.filter((a) => cfg.deniedManagedPolicies.includes(a))) {
                reportViolation(`${what} has the broad managed policy ${arn.slice(arn.lastIndexOf("/") + 1)} attached; attach a policy scoped to the experiment instead`, role.urn);
            }

            const docs = [
                ...((role.props.inlinePolicies ?? []) as { policy?: string }[]).map((p) => p.policy),
                ...related(ROLE_POLICY_TYPE).map((p) => p.props.policy),
            ];
            for (const s of docs.filter((d) => d !== undefined).flatMap(statements)) {
                if (s.Effect !== "Allow") continue;
                for (const action of list(s.Action)) {
                    if (action === "*" || /^[a-z0-9-]+:\*$/i.test(action)) {
                        reportViolation(`${what} allows every action of "${action}"; list only the actions its FIS actions need`, role.urn);
                    } else if (list(s.Resource).includes("*") && !s.Condition && !READ_ONLY.test(action)) {
                        reportViolation(
                            `${what} allows ${action} on every resource ("*") without a condition; scope Resource to the target ARNs ` +
                                "or add a Condition on aws:ResourceTag/chaos.opt-in",
                            role.urn,
                        );
                    }
                }
            }
        }
    },
};
