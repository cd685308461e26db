import { z } from "zod";
import { FaultOptionsSchema } from "./core/component";
import { ComposeSpec } from "./docker/compose";
import { NetworkDisconnectSpec } from "./docker/drivers/networkDisconnect";

/** A stack-unique fault name: it names the Pulumi resources and the labels the fault leaves on targets. */
const FaultName = z
    .string({ error: "required: a name for this fault, unique in the experiment (e.g. db-partition)" })
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "use lowercase letters, digits and dashes (like a DNS label), e.g. db-partition");

/** The fields every fault entry has besides its kind's spec: a name and a time-to-live. */
const FaultEntry = z.object({ name: FaultName, ttl: FaultOptionsSchema.shape.ttl });

/** One fault of an experiment: its kind picks the spec it takes. */
export const FaultSpec = z.discriminatedUnion(
    "kind",
    [NetworkDisconnectSpec.extend({ kind: z.literal("docker:network-disconnect"), ...FaultEntry.shape })],
    { error: "unknown fault kind; supported kinds: docker:network-disconnect" },
);
export type FaultSpec = z.infer<typeof FaultSpec>;

/**
 * The environment an experiment stack owns (optional): brought up before its faults are injected and taken down
 * after they are reverted. `compose`: a Compose project (faultline:docker:ComposeStack), e.g. the demo system.
 */
export const EnvironmentSpec = z.object({ compose: ComposeSpec.optional() }).strict();
export type EnvironmentSpec = z.infer<typeof EnvironmentSpec>;

/** An experiment: what is broken, by whom and why. Read from the stack's `faultline:experiment` config. */
export const ExperimentSpec = z
    .object({
        name: FaultName,
        owner: z.string().min(1).optional(),
        description: z.string().optional(),
        environment: EnvironmentSpec.optional(),
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
