import { z } from "zod";
import { containerName, dockerClient } from "../core/docker";
import type { PlannedTarget } from "../core/driver";
import { FaultError, type SpecIssue } from "../core/errors";
import { isFaultlineOwn } from "../core/labels";
import { RegexString } from "../../spec/fields";

/** The selector's fields; see {@link ContainerSelector}. */
const selectorShape = {
    /** Exact container name. */
    name: z.string().min(1, "must not be empty: give a container name").optional(),
    /** JavaScript regular expression matched against container names (anchor it with ^…$ for whole names). */
    nameRegex: RegexString.optional(),
    /** Labels that must all be present with these values, e.g. `{ "chaos.opt-in": "true" }`. */
    labels: z.record(z.string(), z.string()).optional(),
    /** Blast-radius mode. Defaults to `one`. */
    mode: z.enum(["one", "fixed", "percent", "all"], { error: "must be one of: one, fixed, percent, all" }).default("one"),
    /** Number of containers (`fixed`) or percentage of the matches (`percent`, 1-100). */
    value: z.number().int("must be a whole number").positive("must be greater than zero").optional(),
    /** Must be true for `mode: all`: an explicit opt-in to hitting every matching container. */
    allowAll: z.boolean().optional(),
};

/** Rules across the selector's fields. */
function refineSelector(s: z.output<z.ZodObject<typeof selectorShape>>, ctx: z.RefinementCtx): void {
    if (s.name === undefined && s.nameRegex === undefined && s.labels === undefined) {
        ctx.addIssue({ code: "custom", message: "give at least one of name, nameRegex or labels to select containers" });
    }
    if ((s.mode === "fixed" || s.mode === "percent") && s.value === undefined) {
        ctx.addIssue({ code: "custom", path: ["value"], message: `required when mode is "${s.mode}"` });
    }
    if (s.mode === "percent" && s.value !== undefined && s.value > 100) {
        ctx.addIssue({ code: "custom", path: ["value"], message: "a percentage must be between 1 and 100" });
    }
    if (s.mode === "all" && s.allowAll !== true) {
        ctx.addIssue({
            code: "custom",
            path: ["allowAll"],
            message: 'mode "all" hits every matching container; set allowAll: true to confirm, or use mode one/fixed/percent',
        });
    }
}

/**
 * Which containers a fault hits, and how many of them: a selector plus a blast-radius mode, after Chaos Mesh's
 * `selector` + `mode` + `value`.
 *
 * - `name`: one exact container name; `nameRegex`: a JavaScript regular expression on names; `labels`: every
 *   label must match. At least one of them; when several are given, a container must match all.
 * - `mode`: `one` (default), `fixed` (`value` containers), `percent` (`value`% of the matches, rounded up, at
 *   least one), or `all`, which also needs `allowAll: true` so that hitting everything is never an accident.
 *
 * Only running containers are candidates. The choice is deterministic (matches sorted by name), so what
 * `pulumi preview` shows is what `pulumi up` hits.
 */
export const ContainerSelector = containerTarget('which containers to hit, e.g. { name: "api" } (name, nameRegex and/or labels)');
export type ContainerSelector = z.infer<typeof ContainerSelector>;
/** A selector as users write it (`mode` may be left out). */
export type ContainerSelectorInput = z.input<typeof ContainerSelector>;

/**
 * The selector as a required spec field (`target`), with a message saying what to select when it is missing.
 * `what` completes "required: …", e.g. `the containers to pause, e.g. { name: "web" }`.
 */
export function containerTarget(what: string) {
    return z
        .object(selectorShape, { error: (iss) => (iss.input === undefined ? `required: ${what}` : undefined) })
        .strict()
        .superRefine(refineSelector);
}

/** A container a fault will hit, as shown by previews and checked by the policy pack. */
export interface SelectedContainer {
    id: string;
    name: string;
    labels: Record<string, string>;
}

/** How many of `matches` containers a mode hits. */
export function blastCount(sel: Pick<ContainerSelector, "mode" | "value">, matches: number): number {
    if (matches === 0) return 0;
    switch (sel.mode) {
        case "one":
            return 1;
        case "fixed":
            return Math.min(sel.value ?? 1, matches);
        case "percent":
            return Math.max(1, Math.ceil((matches * (sel.value ?? 100)) / 100));
        case "all":
            return matches;
    }
}

/**
 * Resolves a selector against the running containers of the local engine. Throws a FaultError naming `field`
 * when nothing matches, listing what was looked for. faultline's own reapers and helpers (isFaultlineOwn) are never
 * candidates, even for `nameRegex: ".*"`: a broad regex must not pause the reaper that would unpause it.
 */
export async function selectContainers(sel: ContainerSelector, field: string): Promise<SelectedContainer[]> {
    const filters: Record<string, string[]> = { status: ["running"] };
    if (sel.labels) filters.label = Object.entries(sel.labels).map(([k, v]) => `${k}=${v}`);
    const listed = await dockerClient().listContainers({ filters: JSON.stringify(filters) });
    const re = sel.nameRegex ? new RegExp(sel.nameRegex) : undefined;
    const matches = listed
        .map((c) => ({ id: c.Id, name: containerName(c), labels: c.Labels ?? {} }))
        .filter((c) => (sel.name === undefined || c.name === sel.name) && (re === undefined || re.test(c.name)))
        .filter((c) => !isFaultlineOwn(c.labels))
        .sort((a, b) => a.name.localeCompare(b.name));
    if (matches.length === 0) {
        const wanted = [
            sel.name !== undefined ? `name "${sel.name}"` : "",
            sel.nameRegex !== undefined ? `name matching /${sel.nameRegex}/` : "",
            sel.labels ? `labels ${Object.entries(sel.labels).map(([k, v]) => `${k}=${v}`).join(",")}` : "",
        ].filter(Boolean);
        throw new FaultError(field, `no such container: no running container with ${wanted.join(" and ")}; check \`docker ps\``);
    }
    return matches.slice(0, blastCount(sel, matches.length));
}

/**
 * The containers `sel` selects, for a preflight: a selection that fails (nothing matches, a bad regex) is an issue at
 * `spec.target` to list beside the preflight's others, not a thrown error.
 */
export async function selectForPreflight(sel: ContainerSelector): Promise<{ selected: SelectedContainer[] } | { issues: SpecIssue[] }> {
    try {
        return { selected: await selectContainers(sel, "spec.target") };
    } catch (err) {
        return { issues: [{ path: "spec.target", message: String((err as Error).message).replace(/^spec\.target: /, "") }] };
    }
}

/**
 * A driver's `plan` for selector-based faults: what the selector resolves to right now, or [] when nothing matches
 * yet (inject reports that with the field's name).
 */
export async function planContainers(sel: ContainerSelector): Promise<PlannedTarget[]> {
    try {
        return (await selectContainers(sel, "spec.target")).map((c) => ({ name: c.name, labels: c.labels }));
    } catch (err) {
        if (err instanceof FaultError) return [];
        throw err;
    }
}

/** The selector in words, for fault descriptions: `one container named "web"`, `50% of the containers labelled …`. */
export function describeSelector(sel: ContainerSelector): string {
    const what = [
        sel.name !== undefined ? `named "${sel.name}"` : "",
        sel.nameRegex !== undefined ? `with names matching /${sel.nameRegex}/` : "",
        sel.labels ? `labelled ${Object.entries(sel.labels).map(([k, v]) => `${k}=${v}`).join(",")}` : "",
    ]
        .filter(Boolean)
        .join(" and ");
    switch (sel.mode) {
        case "one":
            return `one container ${what}`;
        case "fixed":
            return `${sel.value} containers ${what}`;
        case "percent":
            return `${sel.value}% of the containers ${what}`;
        case "all":
            return `every container ${what}`;
    }
}
