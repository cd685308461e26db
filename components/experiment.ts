// The experiment spec with its kinds: the envelope (spec/experiment.ts) over the union of every kind's entry.
import { z } from "zod";
import { extendVariants, type FaultSpecSchema } from "./core/component";
import { experimentSchema, FaultEntryBase, faultSpecOf, type ExperimentFaultOf, type ExperimentOf, type FaultEntry } from "../spec/experiment";
import { schemaOf } from "./core/defineFault";
import { FAULTS, type AwsFault, type DockerFault, type KubernetesFault } from "./registry";

/** Every registered kind with a driver (the Docker kinds), by kind, with its spec schema. */
const KINDS: Readonly<Record<string, FaultSpecSchema>> = Object.fromEntries(FAULTS.filter((f) => f.driver).map((f) => [f.kind, schemaOf(f)]));

/** A kind's spec plus the entry fields; a spec that is itself a union (toxics, by `type`) gets them on each variant. */
function entry(kind: string) {
    const schema = KINDS[kind]!;
    const shape = { kind: z.literal(kind), ...FaultEntryBase.shape };
    return schema instanceof z.ZodDiscriminatedUnion ? extendVariants(schema, shape) : schema.extend(shape);
}

/**
 * A fault entry whose spec is validated by its component's schema but not reshaped: these schemas are refined or
 * nested (Kubernetes selectors, FIS templates), so they cannot simply be extended with the entry fields. Issues are
 * reported at their path in the entry. The schema is a getter, called on the first entry of this kind.
 */
function asWritten(kind: string, schema: () => z.ZodType) {
    let loaded: z.ZodType | undefined;
    return z
        .object({ kind: z.literal(kind), ...FaultEntryBase.shape })
        .loose()
        .superRefine((entry, ctx) => {
            const result = (loaded ??= schema()).safeParse(faultSpecOf(entry));
            if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
        });
}

/**
 * Kinds validated by {@link asWritten}: the registry's kinds without a driver, whose schemas are refined or nested
 * (Kubernetes selectors, FIS templates and runs).
 */
const WRITTEN_KINDS: Readonly<Record<string, () => z.ZodType>> = Object.fromEntries(FAULTS.filter((f) => !f.driver).map((f) => [f.kind, () => schemaOf(f)]));

/** Every fault kind, e.g. `docker:network-disconnect`. */
export type FaultKind = DockerFault["kind"] | KubernetesFault["kind"] | AwsFault["kind"];

/** Every fault kind an experiment accepts. */
export const FAULT_KINDS = [...Object.keys(KINDS), ...Object.keys(WRITTEN_KINDS)] as FaultKind[];

/** One fault of an experiment: its kind picks the spec it takes. */
// The union is built from KINDS, so its static type is widened to the entry fields every kind shares.
export const FaultSpec = z.discriminatedUnion(
    "kind",
    [
        ...Object.keys(KINDS).map(entry),
        ...Object.entries(WRITTEN_KINDS).map(([kind, schema]) => asWritten(kind, schema)),
    ] as unknown as [z.ZodObject, ...z.ZodObject[]],
    { error: `unknown fault kind; supported kinds: ${FAULT_KINDS.join(", ")}` },
) as unknown as z.ZodType<FaultSpec, unknown>;
/** A validated fault entry of one of this build's kinds (see {@link FaultEntry}). */
export type FaultSpec = FaultEntry<FaultKind>;

/** An experiment: what is broken, why, how it is observed and judged. Read from the stack's `faultline:experiment` config. */
export const ExperimentSpec = experimentSchema(FaultSpec);
/** A validated experiment, with every default filled in (durations in milliseconds, ratios as fractions). */
export type ExperimentSpec = ExperimentOf<FaultKind>;
/** An experiment as written (YAML or TypeScript), before defaults. */
export type ExperimentInput = z.input<typeof ExperimentSpec>;
/** A fault of a validated experiment: every default filled in. */
export type ExperimentFault = ExperimentFaultOf<FaultKind>;

