import type { z } from "zod";

/** One problem with a spec: where it is (`spec.network`) and what to do about it. */
export interface SpecIssue {
    /** Dotted path from the root of what was validated, e.g. `faults[2].ttl`. */
    path: string;
    /** What is wrong and how to fix it. */
    message: string;
}

/**
 * Thrown when a spec does not validate. Carries every issue at once (never just the first), each with its full path,
 * so a user fixes a spec in one pass.
 */
export class SpecError extends Error {
    override name = "SpecError";
    constructor(
        readonly what: string,
        readonly issues: SpecIssue[],
    ) {
        super(`invalid ${what}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`);
    }
}

/**
 * A fault could not be injected or reverted because of the target's state (a container that does not exist, a
 * network it is not attached to). `field` names the spec field the user should look at.
 */
export class FaultError extends Error {
    override name = "FaultError";
    constructor(
        readonly field: string,
        message: string,
    ) {
        super(`${field}: ${message}`);
    }
}

/** A FaultError as a spec issue: its field and its message without the field's prefix. */
export function issueOf(err: FaultError): SpecIssue {
    return { path: err.field, message: err.message.slice(err.field.length + 2) };
}

/** Runs `check`; a FaultError it throws becomes the one issue returned (any other error is thrown). */
export async function issuesOf(check: () => Promise<unknown>): Promise<SpecIssue[]> {
    try {
        await check();
        return [];
    } catch (err) {
        if (err instanceof FaultError) return [issueOf(err)];
        throw err;
    }
}

/** Renders a zod path (`["faults", 2, "ttl"]`) the way users write it (`faults[2].ttl`), under an optional root. */
export function formatPath(path: ReadonlyArray<PropertyKey>, root?: string): string {
    let out = root ?? "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out === "" ? String(part) : `.${String(part)}`;
    }
    return out === "" ? "(root)" : out;
}

/** Turns zod issues into SpecIssues rooted at `root`, naming unknown keys one by one. */
export function toSpecIssues(issues: ReadonlyArray<z.core.$ZodIssue>, root?: string): SpecIssue[] {
    const out: SpecIssue[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                out.push({
                    path: formatPath([...issue.path, key], root),
                    message: "unknown field; remove it or check its spelling against the documented fields",
                });
            }
            continue;
        }
        out.push({ path: formatPath(issue.path, root), message: issue.message });
    }
    return out;
}

/** Validates `input` against `schema`; on failure throws one SpecError listing every issue under `root`. */
export function parseSpec<S extends z.ZodType>(schema: S, input: unknown, what: string, root?: string): z.output<S> {
    const result = schema.safeParse(input);
    if (!result.success) throw new SpecError(what, toSpecIssues(result.error.issues, root));
    return result.data;
}
