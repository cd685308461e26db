import { z } from "zod";
import { FaultOptionsSchema } from "./core/component";
import { NetworkDisconnectSpec } from "./docker/drivers/networkDisconnect";
import { FisExperimentRunSpec } from "./aws/FisExperimentRun";
import { FisExperimentTemplateSpec } from "./aws/FisExperimentTemplate";
import { DnsChaosSpec } from "./kubernetes/DnsChaos";
import { IoChaosSpec } from "./kubernetes/IoChaos";
import { NetworkChaosSpec } from "./kubernetes/NetworkChaos";
import { NetworkPartitionSpec } from "./kubernetes/NetworkPartition";
import { NodeThrottleSpec } from "./kubernetes/NodeThrottle";
import { PodKillSpec } from "./kubernetes/PodKill";
import { StressChaosSpec } from "./kubernetes/StressChaos";
import { TimeChaosSpec } from "./kubernetes/TimeChaos";
import { Namespace } from "./kubernetes/meta";

/** A stack-unique fault name: it names the Pulumi resources and the labels the fault leaves on targets. */
const FaultName = z
    .string({ error: "required: a name for this fault, unique in the experiment (e.g. db-partition)" })
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "use lowercase letters, digits and dashes (like a DNS label), e.g. db-partition");

/** The fields every fault entry has besides its kind's spec: a name and a time-to-live. */
const FaultEntry = z.object({ name: FaultName, ttl: FaultOptionsSchema.shape.ttl });

/**
 * A fault entry whose spec is validated by its component's schema but kept as written: these components take
 * durations inside their spec ("5m"), which must reach them unparsed, since a parsed duration (ms) would read as
 * seconds. Issues are reported at their path in the entry.
 */
function asWritten<K extends string>(kind: K, schema: z.ZodType) {
    return z
        .object({ kind: z.literal(kind), ...FaultEntry.shape })
        .loose()
        .superRefine((entry, ctx) => {
            const { kind: _k, name: _n, ttl: _t, ...spec } = entry;
            const result = schema.safeParse(spec);
            if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
        });
}

/** The FIS run options of an `aws:fis-experiment` entry: present means `up` starts the template. */
const FisRunOptions = FisExperimentRunSpec.omit({ templateId: true });

/** Every fault kind an experiment accepts. */
export const FAULT_KINDS = [
    "docker:network-disconnect",
    "kubernetes:network-partition",
    "kubernetes:pod-kill",
    "kubernetes:node-throttle",
    "kubernetes:network-chaos",
    "kubernetes:stress-chaos",
    "kubernetes:time-chaos",
    "kubernetes:dns-chaos",
    "kubernetes:io-chaos",
    "aws:fis-experiment",
    "aws:fis-experiment-run",
] as const;

/** One fault of an experiment: its kind picks the spec it takes. */
export const FaultSpec = z.discriminatedUnion(
    "kind",
    [
        NetworkDisconnectSpec.extend({ kind: z.literal("docker:network-disconnect"), ...FaultEntry.shape }),
        asWritten("kubernetes:network-partition", NetworkPartitionSpec),
        asWritten("kubernetes:pod-kill", PodKillSpec),
        asWritten("kubernetes:node-throttle", NodeThrottleSpec),
        asWritten("kubernetes:network-chaos", NetworkChaosSpec),
        asWritten("kubernetes:stress-chaos", StressChaosSpec),
        asWritten("kubernetes:time-chaos", TimeChaosSpec),
        asWritten("kubernetes:dns-chaos", DnsChaosSpec),
        asWritten("kubernetes:io-chaos", IoChaosSpec),
        asWritten("aws:fis-experiment", FisExperimentTemplateSpec.extend({ run: FisRunOptions.optional() })),
        asWritten("aws:fis-experiment-run", FisExperimentRunSpec.extend({ templateId: z.string().min(1, "must not be empty") })),
    ],
    { error: `unknown fault kind; supported kinds: ${FAULT_KINDS.join(", ")}` },
);
export type FaultSpec = z.infer<typeof FaultSpec>;

/** An experiment: what is broken, by whom and why. Read from the stack's `faultline:experiment` config. */
export const ExperimentSpec = z
    .object({
        name: FaultName,
        owner: z.string().min(1).optional(),
        description: z.string().optional(),
        faults: z.array(FaultSpec).min(1, "an experiment needs at least one fault"),
        /** Kubernetes faults: where the in-cluster reaper of node faults runs, and its image. */
        kubernetes: z
            .object({
                /** Namespace of the reaper for node faults without a stress namespace. Defaults to "default". */
                reaperNamespace: Namespace.optional(),
                /** Image of the reapers (sh + kubectl). */
                reaperImage: z.string().min(1).optional(),
            })
            .strict()
            .optional(),
    })
    .strict()
    .superRefine((exp, ctx) => {
        const seen = new Set<string>();
        exp.faults.forEach((f, i) => {
            if (seen.has(f.name)) {
                ctx.addIssue({ code: "custom", path: ["faults", i, "name"], message: `duplicate fault name "${f.name}"; fault names must be unique` });
            }
            seen.add(f.name);
        });
    });
export type ExperimentSpec = z.infer<typeof ExperimentSpec>;
