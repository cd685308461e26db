import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
    configDuration,
    configOf,
    displayName,
    FIS_TEMPLATE_TYPE,
    isChaosMesh,
    isFault,
} from "./util";
import { formatDuration, parseDuration, parseIsoDuration } from "../spec/units";

/** Configuration of {@link faultTtl}. */
export interface FaultTtlConfig {
    /** The longest a fault may stay in: a faultline `ttl`, a Chaos Mesh `spec.duration`, an FIS action duration. */
    maxTtl: string;
}

const defaults: FaultTtlConfig = { maxTtl: "30m" };

/**
 * Every fault has a time-to-live, and none longer than `maxTtl`: a fault that outlives the game day is an outage.
 * faultline faults must carry `ttlMs`; a Chaos Mesh duration or an FIS action duration, where given, must fit too
 * (that Chaos Mesh resources have a duration at all is `chaos-mesh-duration`'s job).
 */
export const faultTtl: ResourceValidationPolicy = {
    name: "fault-ttl",
    description: "Every fault has a time-to-live of at most the configured maximum (30m by default).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set `ttl` on the fault (e.g. `ttl: 10m`), `spec.duration` on a Chaos Mesh resource or the `duration` parameter " +
        "of an FIS action to at most the maximum. To allow longer faults, raise `maxTtl` in the policy pack config.",
    configSchema: { properties: { maxTtl: { type: "string", default: defaults.maxTtl } } },
    validateResource: (args, reportViolation) => {
        const cfg = configOf(args, defaults);
        const max = configDuration("fault-ttl", "maxTtl", cfg.maxTtl);
        if (isFault(args)) {
            const ttl = args.props.ttlMs;
            const what = `fault "${displayName(args)}" (${args.props.kind})`;
            if (typeof ttl !== "number" || !(ttl > 0)) {
                reportViolation(`${what} has no time-to-live; set ttl to at most ${cfg.maxTtl} so that a reaper reverts it on its own`);
            } else if (ttl > max) {
                reportViolation(`${what} has a time-to-live of ${formatDuration(ttl)}, more than the allowed ${cfg.maxTtl}; set ttl to ${cfg.maxTtl} or less`);
            }
        } else if (isChaosMesh(args)) {
            const duration = args.props.spec?.duration;
            const ms = typeof duration === "string" ? parseDuration(duration) : undefined;
            if (ms !== undefined && ms > max) {
                const kind = args.type.slice(args.type.lastIndexOf(":") + 1);
                reportViolation(`${kind} "${displayName(args)}" runs for ${duration} (spec.duration), more than the allowed ${cfg.maxTtl}; set spec.duration to ${cfg.maxTtl} or less`);
            }
        } else if (args.type === FIS_TEMPLATE_TYPE) {
            for (const action of (args.props.actions ?? []) as { name?: string; parameters?: { key: string; value: string }[] }[]) {
                const duration = action.parameters?.find((p) => p.key === "duration")?.value;
                const ms = duration !== undefined ? parseIsoDuration(duration) : undefined;
                if (ms !== undefined && ms > max) {
                    reportViolation(`FIS action "${action.name}" runs for ${duration}, more than the allowed ${cfg.maxTtl}; set its duration parameter to ${cfg.maxTtl} or less`);
                }
            }
        }
    },
};
