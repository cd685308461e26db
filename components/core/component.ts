import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LongDuration } from "../../spec/fields";
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
     * "1h30m", or a number of milliseconds (at least 1s); at most 24h (the policy pack sets a tighter limit, 30m by
     * default).
     */
    ttl: string | number;
    /**
     * The experiment this fault belongs to, written into every label the fault leaves on a target.
     * Defaults to the stack name (one stack per experiment).
     */
    experiment?: string;
    /**
     * Opts out of the opt-in label: with `true`, a Docker fault may hit a container that lacks `chaos.opt-in=true`
     * (the provider prints a warning for each one instead of refusing it). faultline's own reapers and helpers stay
     * out of reach either way. Defaults to false. An experiment sets it for all its faults
     * (`allowUnlabelledTargets` in the experiment spec).
     */
    allowUnlabelledTargets?: boolean;
    /**
     * The stack creates the targets itself (e.g. a ComposeStack the fault depends on): they may not exist at
     * preview, so the preview's target checks ("no such container") wait until inject. Defaults to false. An
     * experiment with `environment.compose` sets it for all its faults.
     */
    targetsCreatedByStack?: boolean;
}

/** The schema of {@link FaultOptions}; fault components extend their spec schema with it. */
export const FaultOptionsSchema = z.object({
    ttl: LongDuration,
    experiment: z.string().min(1).optional(),
    allowUnlabelledTargets: z.boolean().optional(),
    targetsCreatedByStack: z.boolean().optional(),
});

/** A spec schema a fault component can take: one object, or a discriminated union of objects (one per variant). */
export type FaultSpecSchema = z.ZodObject | z.ZodDiscriminatedUnion<z.ZodObject[]>;

/** Each variant of a discriminated union, extended with `shape`. */
export type ExtendVariants<O extends readonly z.ZodObject[], E extends z.ZodRawShape> = {
    [K in keyof O]: O[K] extends z.ZodObject<infer S, infer C> ? z.ZodObject<z.util.Extend<S, E>, C> : never;
};

/**
 * Adds `shape` to every variant of a discriminated union (e.g. the fault options, or an experiment entry's `kind`
 * and `name`), keeping the union's own message for an unknown discriminator.
 */
export function extendVariants<O extends readonly z.ZodObject[], D extends string, E extends z.ZodRawShape>(
    union: z.ZodDiscriminatedUnion<O, D>,
    shape: E,
): z.ZodDiscriminatedUnion<ExtendVariants<O, E>, D> {
    // safeExtend: a variant may carry refinements (cross-field checks), which plain extend refuses to copy.
    const variants = union.options.map((o) => o.safeExtend(shape)) as unknown as [z.ZodObject];
    return z.discriminatedUnion(union.def.discriminator, variants, {
        error: union.def.error as z.core.$ZodErrorMap,
    }) as unknown as z.ZodDiscriminatedUnion<ExtendVariants<O, E>, D>;
}

/** `schema` with the common fault options added to it (to each variant of a discriminated union). */
function withFaultOptions(schema: FaultSpecSchema): z.ZodType {
    if (schema instanceof z.ZodDiscriminatedUnion) return extendVariants(schema, FaultOptionsSchema.shape);
    return schema.extend(FaultOptionsSchema.shape);
}

/**
 * Validates component args and splits them into the driver's spec and the common options, so that every fault
 * component is written the same way: `const { spec, ttlMs, owner } = faultArgs(...)`.
 *
 * `spec` is the parsed spec: for the component's own fields, `describe`, and the FaultResource, whose provider
 * validates it again in `check`. Every spec schema is idempotent (spec/fields.ts: a parsed value parses to itself),
 * so an experiment entry parsed at the edge, or args a user wrote in TypeScript, reach the driver unchanged.
 */
export function faultArgs<S extends FaultSpecSchema>(
    specSchema: S,
    args: object,
    type: string,
    name: string,
    kind: string,
): { spec: z.output<S>; ttlMs: number; owner: FaultOwner; deferTargets: boolean } {
    const parsed = parseArgs(withFaultOptions(specSchema), args, type, name) as Record<string, unknown>;
    const { ttl, experiment, allowUnlabelledTargets, targetsCreatedByStack, ...spec } = parsed;
    return {
        spec: spec as z.output<S>,
        ttlMs: ttl as number,
        deferTargets: targetsCreatedByStack === true,
        owner: faultOwner(name, kind, {
            ...(experiment === undefined ? {} : { experiment: experiment as string }),
            ...(allowUnlabelledTargets === true ? { allowUnlabelledTargets: true } : {}),
        }),
    };
}

/** Who owns the fault called `name` in the current stack. */
export function faultOwner(name: string, kind: string, opts: Pick<FaultOptions, "experiment" | "allowUnlabelledTargets">): FaultOwner {
    return {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        experiment: opts.experiment ?? pulumi.getStack(),
        fault: name,
        kind,
        // Only when opted out: an owner without the key is what every stack had before the field existed.
        ...(opts.allowUnlabelledTargets === true ? { allowUnlabelledTargets: true as const } : {}),
    };
}
