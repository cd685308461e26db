import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf, displayName, EXPERIMENT_TYPE, experimentOf, experimentsByName, isAnyFault, isFault } from "./util";

/**
 * Every fault belongs to an experiment that says what it expects and how it is watched: a hypothesis, at least one
 * steady-state probe and at least one stop condition. A fault without them is breaking things for its own sake.
 */
export const experimentDeclared: StackValidationPolicy = {
    name: "experiment-declared",
    description: "Every fault belongs to an experiment that declares a hypothesis, steady-state probes and stop conditions.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Declare the experiment in the stack config (`faultline:experiment`) with `hypothesis.text`, at least one probe " +
        "in `hypothesis.probes` and at least one entry in `stopConditions`. Kubernetes and AWS resources name their " +
        "experiment with the label or tag `dev.faultline.experiment`.",
    validateStack: (args, reportViolation) => {
        const experiments = experimentsByName(args.resources);
        const used = new Set<string>();
        for (const r of args.resources.filter(isAnyFault)) {
            const experiment = experimentOf(r);
            if (experiment === undefined) {
                reportViolation(`fault "${displayName(r)}" belongs to no experiment; label it dev.faultline.experiment=<experiment>`, r.urn);
            } else if (!experiments.has(experiment)) {
                reportViolation(`fault "${displayName(r)}" belongs to experiment "${experiment}", which is not declared in this stack; declare it`, r.urn);
            } else {
                used.add(experiment);
            }
        }
        const urnOf = new Map(args.resources.filter((r) => r.type === EXPERIMENT_TYPE).map((r) => [r.props.name as string, r.urn]));
        for (const name of used) {
            const e = experiments.get(name)!;
            const urn = urnOf.get(name);
            if (!e.hypothesis || e.hypothesis.trim() === "") {
                reportViolation(`experiment "${name}" declares no hypothesis; state what should stay true while the faults are in (hypothesis.text)`, urn);
            }
            if (!((e.steadyStateProbes ?? 0) >= 1)) {
                reportViolation(`experiment "${name}" declares no steady-state probe; add at least one probe that checks the hypothesis (hypothesis.probes)`, urn);
            }
            if (!((e.stopConditions ?? 0) >= 1)) {
                reportViolation(`experiment "${name}" declares no stop condition; add at least one condition that aborts it early (stopConditions)`, urn);
            }
        }
    },
};

/** What a faultline fault hits, by name: its resolved targets, or its spec's container when nothing was resolved. */
function targetNames(r: PolicyResource): string[] {
    const resolved = (r.props.targets ?? []) as { name: string }[];
    if (resolved.length > 0) return resolved.map((t) => t.name);
    return typeof r.props.spec?.container === "string" ? [r.props.spec.container] : [];
}

/**
 * Two faults on one target make the result unreadable (which fault caused what?) and their reverts can undo each
 * other. Allowed only when the experiment sets `allowSharedTargets: true`.
 */
export const noSharedTargets: StackValidationPolicy = {
    name: "no-shared-targets",
    description: "No two faults hit the same target unless their experiment allows shared targets.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Give each fault its own target, combine the faults into one, or set `allowSharedTargets: true` on the experiment " +
        "when hitting one target twice is the point.",
    validateStack: (args, reportViolation) => {
        const experiments = experimentsByName(args.resources);
        const firstBy = new Map<string, PolicyResource>();
        for (const r of args.resources.filter(isFault)) {
            for (const target of targetNames(r)) {
                const first = firstBy.get(target);
                if (!first) {
                    firstBy.set(target, r);
                    continue;
                }
                const allowed = [first, r].every((f) => experiments.get(experimentOf(f) ?? "")?.allowSharedTargets === true);
                if (!allowed) {
                    reportViolation(
                        `faults "${displayName(first)}" and "${displayName(r)}" both hit "${target}"; give each fault its own target ` +
                            "or set allowSharedTargets: true on the experiment",
                        r.urn,
                    );
                }
            }
        }
    },
};

/** Configuration of {@link maxConcurrentFaults}. */
export interface MaxConcurrentFaultsConfig {
    /** The most faults one stack may hold at once. */
    maxConcurrentFaults: number;
}

const concurrentDefaults: MaxConcurrentFaultsConfig = { maxConcurrentFaults: 5 };

/** Every fault of a stack is in at the same time after `pulumi up`; past a few, nobody can tell what caused what. */
export const maxConcurrentFaults: StackValidationPolicy = {
    name: "max-concurrent-faults",
    description: "A stack holds at most maxConcurrentFaults faults at once (5 by default).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Split the experiment into several stacks run one after another, or raise `maxConcurrentFaults` in the policy pack config.",
    configSchema: {
        properties: { maxConcurrentFaults: { type: "integer", minimum: 1, default: concurrentDefaults.maxConcurrentFaults } },
    },
    validateStack: (args, reportViolation) => {
        const { maxConcurrentFaults: max } = configOf(args, concurrentDefaults);
        const faults = args.resources.filter(isAnyFault);
        if (faults.length > max) {
            reportViolation(
                `this stack declares ${faults.length} faults (${faults.map(displayName).join(", ")}), more than the allowed ${max} at once; ` +
                    "split the experiment or raise maxConcurrentFaults",
            );
        }
    },
};
