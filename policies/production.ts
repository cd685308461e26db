import type { StackValidationPolicy } from "@pulumi/policy";
import { configOf, EXPERIMENT_TYPE, type ExperimentProps, stackOfUrn } from "./util";

/** Configuration of {@link productionApproval}. */
export interface ProductionApprovalConfig {
    /** A regular expression: stacks whose name matches it are production. */
    productionStackPattern: string;
    /** Stack tags (`pulumi stack tag set`, or `pulumi:tags` in the stack config) that name the environment. */
    environmentTagKeys: string[];
    /** Values of those tags, or of an experiment's `environment`, that mean production. */
    productionValues: string[];
}

const defaults: ProductionApprovalConfig = {
    productionStackPattern: "prod",
    environmentTagKeys: ["environment", "env"],
    productionValues: ["production", "prod"],
};

const APPROVAL_FIELDS = ["by", "at", "ticket", "expires"] as const;

/**
 * Production is off limits unless someone signed for it: a stack named or tagged as production, or an experiment
 * whose `environment` is production, is denied unless every experiment carries an approval (who, when, which
 * ticket) that has not expired. @pulumi/policy gives stack validations the stack's tags; its name comes from the
 * resources' URNs.
 */
export const productionApproval: StackValidationPolicy = {
    name: "production-approval",
    description: "Production stacks are denied unless each experiment has an unexpired approval (by, at, ticket, expires).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Run the experiment in a non-production stack, or add to the experiment `approval: { by: <who approved>, at: " +
        "<ISO date>, ticket: <change ticket>, expires: <ISO date in the future> }` after the change is approved.",
    configSchema: {
        properties: {
            productionStackPattern: { type: "string", default: defaults.productionStackPattern },
            environmentTagKeys: { type: "array", items: { type: "string" }, default: defaults.environmentTagKeys },
            productionValues: { type: "array", items: { type: "string" }, default: defaults.productionValues },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configOf(args, defaults);
        const isProd = (v: unknown) => typeof v === "string" && cfg.productionValues.includes(v.toLowerCase());
        const experiments = args.resources.filter((r) => r.type === EXPERIMENT_TYPE);

        const reasons: string[] = [];
        const stack = args.resources.map((r) => stackOfUrn(r.urn)).find((s) => s !== undefined);
        if (stack !== undefined && new RegExp(cfg.productionStackPattern).test(stack)) {
            reasons.push(`stack name "${stack}" matches /${cfg.productionStackPattern}/`);
        }
        for (const key of cfg.environmentTagKeys) {
            const v = args.stackTags?.get(key);
            if (isProd(v)) reasons.push(`stack tag ${key}=${v}`);
        }
        for (const e of experiments) {
            if (isProd(e.props.environment)) reasons.push(`experiment "${e.props.name}" has environment "${e.props.environment}"`);
        }
        if (reasons.length === 0) return;
        const why = reasons.join(", ");

        if (experiments.length === 0) {
            reportViolation(`this stack is production (${why}) and declares no experiment that could carry an approval; declare the experiment with an approval`);
            return;
        }
        const now = Date.now();
        for (const e of experiments) {
            const props = e.props as ExperimentProps;
            const what = `experiment "${props.name}" runs in production (${why})`;
            const approval = props.approval;
            if (!approval) {
                reportViolation(`${what} without an approval; set approval.by, approval.at, approval.ticket and approval.expires`, e.urn);
                continue;
            }
            const missing = APPROVAL_FIELDS.filter((f) => typeof approval[f] !== "string" || approval[f]!.trim() === "");
            if (missing.length > 0) {
                reportViolation(`${what} with an incomplete approval; set ${missing.map((f) => `approval.${f}`).join(", ")}`, e.urn);
                continue;
            }
            const expires = Date.parse(approval.expires!);
            if (Number.isNaN(Date.parse(approval.at!))) {
                reportViolation(`${what} with approval.at "${approval.at}", which is not a date; write it like 2026-05-01T09:00:00Z`, e.urn);
            }
            if (Number.isNaN(expires)) {
                reportViolation(`${what} with approval.expires "${approval.expires}", which is not a date; write it like 2026-05-01T18:00:00Z`, e.urn);
            } else if (expires <= now) {
                reportViolation(`${what} with an approval (ticket ${approval.ticket}, by ${approval.by}) that expired at ${approval.expires}; get it renewed`, e.urn);
            }
        }
    },
};
