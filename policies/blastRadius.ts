import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, displayName, FIS_TEMPLATE_TYPE, isChaosMesh, isFault, LABELS, labelsOf, tagsOf } from "./util";

/** Configuration of {@link blastRadius}. */
export interface BlastRadiusConfig {
    /** The most targets one fault may hit (resolved targets, `fixed` values, FIS `COUNT(n)`). */
    maxCount: number;
    /** The highest percentage of the matching targets one fault may hit (`percent`, Chaos Mesh `*-percent`, FIS `PERCENT(n)`). */
    maxPercent: number;
}

const defaults: BlastRadiusConfig = { maxCount: 5, maxPercent: 50 };

/**
 * Caps how much one fault may hit, by count and by percentage, and makes "everything that matches" a deliberate
 * choice: faultline's `mode: all` needs `allowAll: true` in the spec; Chaos Mesh's `mode: all` and FIS's
 * `selectionMode: ALL` need the label or tag `dev.faultline.allow-all=true` on the resource.
 */
export const blastRadius: ResourceValidationPolicy = {
    name: "blast-radius",
    description: "One fault hits at most maxCount targets and maxPercent of the matches; `all` needs an explicit allow.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Narrow the selector, or use mode one / fixed / percent with a smaller value. To hit every match on purpose, set " +
        "`allowAll: true` (faultline) or the label/tag `dev.faultline.allow-all: \"true\"` (Chaos Mesh, FIS). To allow more, " +
        "raise `maxCount` / `maxPercent` in the policy pack config.",
    configSchema: {
        properties: {
            maxCount: { type: "integer", minimum: 1, default: defaults.maxCount },
            maxPercent: { type: "integer", minimum: 1, maximum: 100, default: defaults.maxPercent },
        },
    },
    validateResource: (args, reportViolation) => {
        const { maxCount, maxPercent } = configOf(args, defaults);
        const name = displayName(args);
        if (isFault(args)) {
            const what = `fault "${name}"`;
            const targets = args.props.targets;
            if (Array.isArray(targets) && targets.length > maxCount) {
                reportViolation(`${what} hits ${targets.length} targets, more than the allowed ${maxCount}; narrow its selector or use mode one, fixed or percent`);
            }
            const sel = args.props.spec?.target;
            if (sel?.mode === "all" && sel.allowAll !== true) {
                reportViolation(`${what} uses mode "all" without allowAll: true; set target.allowAll: true to confirm, or use mode one, fixed or percent`);
            }
            if (sel?.mode === "fixed" && sel.value > maxCount) {
                reportViolation(`${what} asks for ${sel.value} targets (target.value), more than the allowed ${maxCount}; lower target.value`);
            }
            if (sel?.mode === "percent" && sel.value > maxPercent) {
                reportViolation(`${what} hits ${sel.value}% of the matching targets (target.value), more than the allowed ${maxPercent}%; lower target.value`);
            }
        } else if (isChaosMesh(args)) {
            const kind = args.type.slice(args.type.lastIndexOf(":") + 1);
            const what = `${kind} "${name}"`;
            const mode = args.props.spec?.mode;
            const value = Number(args.props.spec?.value);
            if (mode === "all" && labelsOf(args.props)[LABELS.allowAll] !== "true") {
                reportViolation(`${what} uses mode "all" without the label ${LABELS.allowAll}: "true"; add the label to confirm, or use mode one, fixed or fixed-percent`);
            }
            if (mode === "fixed" && value > maxCount) {
                reportViolation(`${what} hits ${value} pods (spec.value), more than the allowed ${maxCount}; lower spec.value`);
            }
            if ((mode === "fixed-percent" || mode === "random-max-percent") && value > maxPercent) {
                reportViolation(`${what} hits up to ${value}% of the matching pods (spec.value), more than the allowed ${maxPercent}%; lower spec.value`);
            }
        } else if (args.type === FIS_TEMPLATE_TYPE) {
            for (const t of (args.props.targets ?? []) as { name?: string; selectionMode?: string }[]) {
                const what = `FIS target "${t.name}" of template "${name}"`;
                const mode = t.selectionMode ?? "";
                const n = Number(/^(?:COUNT|PERCENT)\((\d+)\)$/.exec(mode)?.[1]);
                if (mode === "ALL" && tagsOf(args.props)[LABELS.allowAll] !== "true") {
                    reportViolation(`${what} uses selectionMode ALL without the tag ${LABELS.allowAll}: "true"; add the tag to confirm, or use COUNT(n) or PERCENT(n)`);
                }
                if (mode.startsWith("COUNT(") && n > maxCount) {
                    reportViolation(`${what} hits ${n} resources (${mode}), more than the allowed ${maxCount}; lower the count`);
                }
                if (mode.startsWith("PERCENT(") && n > maxPercent) {
                    reportViolation(`${what} hits ${n}% of the matching resources (${mode}), more than the allowed ${maxPercent}%; lower the percentage`);
                }
            }
        }
    },
};
