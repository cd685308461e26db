import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
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
     * The experiment this fault belongs to, written into every label the fault leaves on a target.
     * Defaults to the stack name (one stack per experiment).
     */
    experiment?: string;
}

/** Who owns the fault called `name` in the current stack. */
export function faultOwner(name: string, kind: string, opts: FaultOptions): FaultOwner {
    return {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        experiment: opts.experiment ?? pulumi.getStack(),
        fault: name,
        kind,
    };
}
