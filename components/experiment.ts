import { z } from "zod";
import { extendVariants, FaultOptionsSchema, type FaultSpecSchema } from "./core/component";
import { ComposeSpec } from "./docker/compose";
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
import { CpuStressSpec } from "./docker/drivers/cpuStress";
import { MemoryStressSpec } from "./docker/drivers/memoryStress";
import { DiskFillSpec } from "./docker/drivers/diskFill";
import { ClockSkewSpec } from "./docker/drivers/clockSkew";
import { ContainerKillSpec } from "./docker/drivers/containerKill";
import { ContainerStopSpec } from "./docker/drivers/containerStop";
import { ContainerRestartSpec } from "./docker/drivers/containerRestart";
import { ContainerPauseSpec } from "./docker/drivers/containerPause";
import { ProcessKillSpec } from "./docker/drivers/processKill";
import { ResourceLimitsSpec } from "./docker/drivers/resourceLimits";
import { BandwidthSpec } from "./docker/drivers/bandwidth";
import { DependencyDownSpec } from "./docker/drivers/dependencyDown";
import { DnsFailureSpec } from "./docker/drivers/dnsFailure";
import { NetemSpec } from "./docker/drivers/netem";
import { NetworkDisconnectSpec } from "./docker/drivers/networkDisconnect";
import { PartialPartitionSpec } from "./docker/drivers/partialPartition";
import { ToxiproxyToxicSpec } from "./docker/drivers/toxiproxyToxic";

/** A stack-unique fault name: it names the Pulumi resources and the labels the fault leaves on targets. */
const FaultName = z
    .string({ error: "required: a name for this fault, unique in the experiment (e.g. db-partition)" })
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "use lowercase letters, digits and dashes (like a DNS label), e.g. db-partition");

/** The fields every fault entry has besides its kind's spec: a name and a time-to-live. */
const FaultEntry = z.object({ name: FaultName, ttl: FaultOptionsSchema.shape.ttl });

/** Every fault kind an experiment can declare, with its spec schema. Adding a kind is one line here. */
const KINDS = {
    "docker:network-disconnect": NetworkDisconnectSpec,
    "docker:partial-partition": PartialPartitionSpec,
    "docker:bandwidth": BandwidthSpec,
    "docker:netem": NetemSpec,
    "docker:dns-failure": DnsFailureSpec,
    "docker:toxiproxy-toxic": ToxiproxyToxicSpec,
    "docker:dependency-down": DependencyDownSpec,
    "docker:cpu-stress": CpuStressSpec,
    "docker:memory-stress": MemoryStressSpec,
    "docker:disk-fill": DiskFillSpec,
    "docker:clock-skew": ClockSkewSpec,
    "docker:container-kill": ContainerKillSpec,
    "docker:container-stop": ContainerStopSpec,
    "docker:container-restart": ContainerRestartSpec,
    "docker:container-pause": ContainerPauseSpec,
    "docker:process-kill": ProcessKillSpec,
    "docker:resource-limits": ResourceLimitsSpec,
} as const satisfies Record<string, FaultSpecSchema>;

/** A kind's spec plus the entry fields; a spec that is itself a union (toxics, by `type`) gets them on each variant. */
function entry<K extends keyof typeof KINDS>(kind: K) {
    const schema: FaultSpecSchema = KINDS[kind];
    const shape = { kind: z.literal(kind), ...FaultEntry.shape };
    return schema instanceof z.ZodDiscriminatedUnion ? extendVariants(schema, shape) : schema.extend(shape);
}

/**
 * A fault entry whose spec is validated by its component's schema but not reshaped: these schemas are refined or
 * nested (Kubernetes selectors, FIS templates), so they cannot simply be extended with the entry fields. Issues are
 * reported at their path in the entry.
 */
function asWritten(kind: string, schema: z.ZodType) {
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

/** Kubernetes and AWS kinds, validated by {@link asWritten}. Adding a kind is one line here. */
const WRITTEN_KINDS = {
    "kubernetes:network-partition": NetworkPartitionSpec,
    "kubernetes:pod-kill": PodKillSpec,
    "kubernetes:node-throttle": NodeThrottleSpec,
    "kubernetes:network-chaos": NetworkChaosSpec,
    "kubernetes:stress-chaos": StressChaosSpec,
    "kubernetes:time-chaos": TimeChaosSpec,
    "kubernetes:dns-chaos": DnsChaosSpec,
    "kubernetes:io-chaos": IoChaosSpec,
    "aws:fis-experiment": FisExperimentTemplateSpec.extend({ run: FisRunOptions.optional() }),
    "aws:fis-experiment-run": FisExperimentRunSpec.extend({ templateId: z.string().min(1, "must not be empty") }),
} as const satisfies Record<string, z.ZodType>;

/** Every fault kind, e.g. `docker:network-disconnect`. */
export type FaultKind = keyof typeof KINDS | keyof typeof WRITTEN_KINDS;

/** Every fault kind an experiment accepts. */
export const FAULT_KINDS = [...Object.keys(KINDS), ...Object.keys(WRITTEN_KINDS)] as FaultKind[];

/** One fault of an experiment: its kind picks the spec it takes. */
// The union is built from KINDS, so its static type is widened to the entry fields every kind shares.
export const FaultSpec = z.discriminatedUnion(
    "kind",
    [
        ...(Object.keys(KINDS) as (keyof typeof KINDS)[]).map(entry),
        ...Object.entries(WRITTEN_KINDS).map(([kind, schema]) => asWritten(kind, schema)),
    ] as unknown as [z.ZodObject, ...z.ZodObject[]],
    { error: `unknown fault kind; supported kinds: ${FAULT_KINDS.join(", ")}` },
) as unknown as z.ZodType<FaultSpec, unknown>;
/** A validated fault entry: its kind, name and ttl (ms), plus the kind's own spec fields. */
export type FaultSpec = { kind: FaultKind; name: string; ttl: number } & Record<string, unknown>;

/**
 * What is under test. `name` and `production` are for the policy pack (production needs an approval); `compose`
 * is a Compose project (faultline:docker:ComposeStack, e.g. the demo system) that the experiment's stack owns: the
 * faults go in after it is healthy and are reverted before it goes.
 */
export const EnvironmentSpec = z
    .object({ name: z.string().min(1).optional(), production: z.boolean().optional(), compose: ComposeSpec.optional() })
    .strict();
export type EnvironmentSpec = z.infer<typeof EnvironmentSpec>;

/** An experiment: what is broken, by whom and why. Read from the stack's `faultline:experiment` config. */
export const ExperimentSpec = z
    .object({
        name: FaultName,
        owner: z.string().min(1).optional(),
        description: z.string().optional(),
        // What the experiment says about itself, for the policy pack (components/core/ExperimentMetadata.ts).
        /** What should stay true while the faults are in (`text`), and the steady-state probes that check it. */
        hypothesis: z.object({ text: z.string().optional(), probes: z.array(z.unknown()).optional() }).strict().optional(),
        /** Conditions that abort the experiment early. */
        stopConditions: z.array(z.unknown()).optional(),
        /** Where it runs and what it runs against; `production: true` needs an approval. */
        environment: EnvironmentSpec.optional(),
        /** Who approved it, when, under which ticket, and until when (ISO 8601): required in production. */
        approval: z.object({ by: z.string(), at: z.string(), ticket: z.string(), expires: z.string() }).partial().strict().optional(),
        /** Lets two faults of this experiment hit the same target (policy no-shared-targets). */
        allowSharedTargets: z.boolean().optional(),
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
