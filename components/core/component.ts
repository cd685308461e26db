import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Duration } from "./duration";
import { toSpecIssues } from "./errors";
import type { FaultOwner } from "./labels";

/**
 * Validates a component's args against its spec schema before any child exists. Every issue is reported at once,
 * each with its property path, through Pulumi's InputPropertiesError so the engine attributes it to the component.
 */
export function parseArgs<S extends z.ZodType>(schema: S, args: unknown, type: string, name: string): z.output<S> {
    const result = schema.safeParse(args);
    if (result.success) return result.data;
    const errors = toSpecIssues(result.error.issues).map((i) => ({ propertyPath: i.path, reason: i.message }));
    throw new pulumi.InputPropertiesError({
        message:
            `invalid arguments for ${type} "${name}":\n` + errors.map((e) => `  - ${e.propertyPath}: ${e.reason}`).join("\n"),
        errors,
    });
}

/** Options every fault component accepts besides its spec. */
export interface FaultOptions {
    /**
     * Time-to-live: how long the fault may stay in. When it runs out, a reaper that lives with the target reverts
     * the fault, even if Pulumi, the runner and the shell were all killed. Required. A string such as "30s", "5m",
     * "1h30m", or a number of seconds; at most 24h (the policy pack sets a tighter limit, 30m by default).
     */
    ttl: string | number;
    /**
     * The experiment this fault belongs to, written into every label the fault leaves on a target.
     * Defaults to the stack name (one stack per experiment).
     */
    experiment?: string;
}

/** The schema of {@link FaultOptions}; fault components extend their spec schema with it. */
export const FaultOptionsSchema = z.object({
    ttl: Duration,
    experiment: z.string().min(1).optional(),
});

/**
 * Validates component args and splits them into the driver's spec and the common options, so that every fault
 * component is written the same way: `const { spec, rawSpec, ttlMs, owner } = faultArgs(...)`.
 *
 * `spec` is the parsed spec, for the component's own fields and `describe`. `rawSpec` is the spec as the user wrote
 * it, and is what goes to the FaultResource: its provider validates and normalizes it again in `check`, and zod
 * transforms (durations, byte sizes) are not idempotent, so a spec must be parsed exactly once on the way to a
 * driver.
 */
export function faultArgs<S extends z.ZodObject>(
    specSchema: S,
    args: object,
    type: string,
    name: string,
    kind: string,
): { spec: z.output<S>; rawSpec: Record<string, unknown>; ttlMs: number; owner: FaultOwner } {
    const parsed = parseArgs(specSchema.extend(FaultOptionsSchema.shape), args, type, name) as Record<string, unknown>;
    const { ttl, experiment, ...spec } = parsed;
    const { ttl: _ttl, experiment: _experiment, ...rawSpec } = args as Record<string, unknown>;
    return {
        spec: spec as z.output<S>,
        rawSpec,
        ttlMs: ttl as number,
        owner: faultOwner(name, kind, experiment === undefined ? {} : { experiment: experiment as string }),
    };
}

/** Who owns the fault called `name` in the current stack. */
export function faultOwner(name: string, kind: string, opts: Pick<FaultOptions, "experiment">): FaultOwner {
    return {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        experiment: opts.experiment ?? pulumi.getStack(),
        fault: name,
        kind,
    };
}
