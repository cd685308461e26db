// The experiment spec with its kinds: the envelope (spec/experiment.ts) over the union of every kind's entry.
import { z } from "zod";
import { extendVariants, type FaultSpecSchema } from "./core/component";
import { experimentSchema, FaultEntryBase, faultSpecOf, type ExperimentFaultOf, type ExperimentOf, type FaultEntry } from "../spec/experiment";
import { DOCKER_FAULTS } from "./registry";

// The Kubernetes and AWS spec schemas live in their component modules, which load @pulumi/kubernetes or @pulumi/aws
// (seconds of start-up on a loaded machine). They are required on first use, when an entry of their kind is
// validated, so an experiment without such faults never loads them; `typeof import` keeps them fully typed.
const k8s = {
    DnsChaos: () => (require("./kubernetes/DnsChaos") as typeof import("./kubernetes/DnsChaos")).DnsChaosSpec,
    IoChaos: () => (require("./kubernetes/IoChaos") as typeof import("./kubernetes/IoChaos")).IoChaosSpec,
    NetworkChaos: () => (require("./kubernetes/NetworkChaos") as typeof import("./kubernetes/NetworkChaos")).NetworkChaosSpec,
    NetworkPartition: () => (require("./kubernetes/NetworkPartition") as typeof import("./kubernetes/NetworkPartition")).NetworkPartitionSpec,
    NodeThrottle: () => (require("./kubernetes/NodeThrottle") as typeof import("./kubernetes/NodeThrottle")).NodeThrottleSpec,
    PodKill: () => (require("./kubernetes/PodKill") as typeof import("./kubernetes/PodKill")).PodKillSpec,
    StressChaos: () => (require("./kubernetes/StressChaos") as typeof import("./kubernetes/StressChaos")).StressChaosSpec,
    TimeChaos: () => (require("./kubernetes/TimeChaos") as typeof import("./kubernetes/TimeChaos")).TimeChaosSpec,
};
const fisRun = () => (require("./aws/FisExperimentRun") as typeof import("./aws/FisExperimentRun")).FisExperimentRunSpec;
const fisTemplate = () => (require("./aws/FisExperimentTemplate") as typeof import("./aws/FisExperimentTemplate")).FisExperimentTemplateSpec;

/** Every kind with a driver and a component (the registry's), by kind, with its spec schema. */
const KINDS: Readonly<Record<string, FaultSpecSchema>> = Object.fromEntries(
    DOCKER_FAULTS.map((f) => [f.kind, f.driver.schema as unknown as FaultSpecSchema]),
);

/** A kind's spec plus the entry fields; a spec that is itself a union (toxics, by `type`) gets them on each variant. */
function entry(kind: string) {
    const schema = KINDS[kind]!;
    const shape = { kind: z.literal(kind), ...FaultEntryBase.shape };
    return schema instanceof z.ZodDiscriminatedUnion ? extendVariants(schema, shape) : schema.extend(shape);
}

/**
 * A fault entry whose spec is validated by its component's schema but not reshaped: these schemas are refined or
 * nested (Kubernetes selectors, FIS templates), so they cannot simply be extended with the entry fields. Issues are
 * reported at their path in the entry. The schema is a getter, called on the first entry of this kind (see above).
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

/** Kubernetes and AWS kinds, validated by {@link asWritten}. Adding a kind is one line here. */
const WRITTEN_KINDS = {
    "kubernetes:network-partition": k8s.NetworkPartition,
    "kubernetes:pod-kill": k8s.PodKill,
    "kubernetes:node-throttle": k8s.NodeThrottle,
    "kubernetes:network-chaos": k8s.NetworkChaos,
    "kubernetes:stress-chaos": k8s.StressChaos,
    "kubernetes:time-chaos": k8s.TimeChaos,
    "kubernetes:dns-chaos": k8s.DnsChaos,
    "kubernetes:io-chaos": k8s.IoChaos,
    // The FIS run options of an `aws:fis-experiment` entry: present means `up` starts the template.
    "aws:fis-experiment": () => fisTemplate().extend({ run: fisRun().omit({ templateId: true }).optional() }),
    "aws:fis-experiment-run": () => fisRun().extend({ templateId: z.string().min(1, "must not be empty") }),
} as const satisfies Record<string, () => z.ZodType>;

/** Every fault kind, e.g. `docker:network-disconnect`. */
export type FaultKind = (typeof DOCKER_FAULTS)[number]["kind"] | keyof typeof WRITTEN_KINDS;

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

