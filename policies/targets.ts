import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
    configOf,
    displayName,
    FIS_TEMPLATE_TYPE,
    isChaosMesh,
    isFault,
    isManagedNetworkPolicy,
    isNodeStress,
} from "./util";
import { OPT_IN_LABEL, OPT_IN_VALUE } from "../spec/optIn";

/** Configuration of {@link optInTargets}. */
export interface OptInTargetsConfig {
    /** The label (Docker, Kubernetes) or tag (AWS) that opts a target in. */
    optInLabel: string;
    /** Its value. */
    optInValue: string;
    /** Namespaces whose pods are never targets, whatever their labels. */
    systemNamespaces: string[];
}

const defaults: OptInTargetsConfig = {
    optInLabel: OPT_IN_LABEL,
    optInValue: OPT_IN_VALUE,
    systemNamespaces: ["kube-system", "kube-public", "kube-node-lease", "chaos-mesh", "chaos-testing"],
};

type Selector = { namespaces?: string[]; labelSelectors?: Record<string, string> };

/**
 * Faults hit only what its owners opted in, with a label or tag such as `chaos.opt-in=true`; an unlabelled resource
 * is never a target, and neither is anything in a system namespace. A Docker fault is checked against the containers
 * its driver resolved at preview (the fault's `targets`), so a selector cannot sneak past the label.
 */
export const optInTargets: ResourceValidationPolicy = {
    name: "opt-in-targets",
    description: "Faults only target resources labelled or tagged chaos.opt-in=true, never system namespaces.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Have the owners of the target opt it in: `docker run --label chaos.opt-in=true`, a pod or node label " +
        "`chaos.opt-in: \"true\"` selected by the fault, or an AWS tag `chaos.opt-in=true` in the FIS target's resourceTags " +
        "(or explicit resourceArns). Never target kube-system and the other system namespaces.",
    configSchema: {
        properties: {
            optInLabel: { type: "string", default: defaults.optInLabel },
            optInValue: { type: "string", default: defaults.optInValue },
            systemNamespaces: { type: "array", items: { type: "string" }, default: defaults.systemNamespaces },
        },
    },
    validateResource: (args, reportViolation) => {
        const { optInLabel, optInValue, systemNamespaces } = configOf(args, defaults);
        const optIn = `${optInLabel}=${optInValue}`;
        const name = displayName(args);
        const checkNamespace = (what: string, ns: string | undefined) => {
            if (ns !== undefined && systemNamespaces.includes(ns)) {
                reportViolation(`${what} targets namespace "${ns}", a system namespace that is never a target`);
            }
        };
        const checkSelector = (what: string, field: string, sel: Selector | undefined, ownNamespace: string | undefined) => {
            for (const ns of sel?.namespaces?.length ? sel.namespaces : [ownNamespace ?? "default"]) checkNamespace(what, ns);
            if (sel?.labelSelectors?.[optInLabel] !== optInValue) {
                reportViolation(`${what} selects pods without the label ${optIn}; add it to ${field}.labelSelectors`);
            }
        };

        if (isFault(args)) {
            const what = `fault "${name}"`;
            const targets = args.props.targets as { name: string; labels?: Record<string, string> }[] | undefined;
            if (!Array.isArray(targets) || targets.length === 0) {
                reportViolation(`${what} has no resolved targets, so its opt-in cannot be checked; make sure the target exists and is running before preview`);
                return;
            }
            for (const t of targets) {
                const labels = t.labels ?? {};
                if (labels[optInLabel] !== optInValue) {
                    reportViolation(`${what} targets "${t.name}", which is not opted in; label it ${optIn} to allow faults on it`);
                }
                // Containers of a Kubernetes pod (kind, Docker Desktop) carry their namespace as a label.
                checkNamespace(`${what} (container "${t.name}")`, labels["io.kubernetes.pod.namespace"]);
            }
        } else if (isChaosMesh(args)) {
            const kind = args.type.slice(args.type.lastIndexOf(":") + 1);
            const what = `${kind} "${name}"`;
            const ns = args.props.metadata?.namespace;
            checkSelector(what, "spec.selector", args.props.spec?.selector, ns);
            // A NetworkChaos `target` is the other side of a partition or delay: it is hit as well.
            if (args.props.spec?.target?.selector) checkSelector(what, "spec.target.selector", args.props.spec.target.selector, ns);
        } else if (isManagedNetworkPolicy(args)) {
            const what = `NetworkPolicy "${name}"`;
            checkNamespace(what, args.props.metadata?.namespace ?? "default");
            if (args.props.spec?.podSelector?.matchLabels?.[optInLabel] !== optInValue) {
                reportViolation(`${what} selects pods without the label ${optIn}; add it to spec.podSelector.matchLabels`);
            }
        } else if (isNodeStress(args)) {
            const nodeSelector = args.props.spec?.template?.spec?.nodeSelector as Record<string, string> | undefined;
            if (nodeSelector?.[optInLabel] !== optInValue) {
                reportViolation(`DaemonSet "${name}" runs on nodes without the label ${optIn}; add it to spec.template.spec.nodeSelector`);
            }
        } else if (args.type === FIS_TEMPLATE_TYPE) {
            for (const t of (args.props.targets ?? []) as any[]) {
                const what = `FIS target "${t.name}" of template "${name}"`;
                if (Array.isArray(t.resourceArns) && t.resourceArns.length > 0) continue;
                const tagged = (t.resourceTags ?? []).some((tag: { key: string; value: string }) => tag.key === optInLabel && tag.value === optInValue);
                // Pod targets (aws:eks:pod, aws:ecs:task) select by a label selector in parameters instead of tags.
                const params = (t.parameters ?? {}) as Record<string, string>;
                const labelled = (params.selectorValue ?? "").split(",").map((s) => s.trim()).includes(optIn);
                if (!tagged && !labelled) {
                    reportViolation(`${what} selects resources without the tag ${optIn}; add it to resourceTags or list resourceArns`);
                }
                checkNamespace(what, params.namespace);
            }
        }
    },
};
