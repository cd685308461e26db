import { z } from "zod";
import { extendVariants, FaultOptionsSchema } from "./core/component";
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

/** One fault of an experiment: its kind picks the spec it takes. */
export const FaultSpec = z.discriminatedUnion(
    "kind",
    [
        NetworkDisconnectSpec.extend({ kind: z.literal("docker:network-disconnect"), ...FaultEntry.shape }),
        PartialPartitionSpec.extend({ kind: z.literal("docker:partial-partition"), ...FaultEntry.shape }),
        BandwidthSpec.extend({ kind: z.literal("docker:bandwidth"), ...FaultEntry.shape }),
        NetemSpec.extend({ kind: z.literal("docker:netem"), ...FaultEntry.shape }),
        DnsFailureSpec.extend({ kind: z.literal("docker:dns-failure"), ...FaultEntry.shape }),
        // A union of its own, by toxic `type`, nested in the union by `kind`.
        extendVariants(ToxiproxyToxicSpec, { kind: z.literal("docker:toxiproxy-toxic"), ...FaultEntry.shape }),
        DependencyDownSpec.extend({ kind: z.literal("docker:dependency-down"), ...FaultEntry.shape }),
    ],
    {
        error:
            "unknown fault kind; supported kinds: docker:network-disconnect, docker:partial-partition, docker:bandwidth, " +
            "docker:netem, docker:dns-failure, docker:toxiproxy-toxic, docker:dependency-down",
    },
);
export type FaultSpec = z.infer<typeof FaultSpec>;

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
        /** Where it runs; `production: true` needs an approval. */
        environment: z.object({ name: z.string().min(1).optional(), production: z.boolean().optional() }).strict().optional(),
        /** Who approved it, when, under which ticket, and until when (ISO 8601): required in production. */
        approval: z.object({ by: z.string(), at: z.string(), ticket: z.string(), expires: z.string() }).partial().strict().optional(),
        /** Lets two faults of this experiment hit the same target (policy no-shared-targets). */
        allowSharedTargets: z.boolean().optional(),
        faults: z.array(FaultSpec).min(1, "an experiment needs at least one fault"),
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
