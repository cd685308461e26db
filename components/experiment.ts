import { z } from "zod";
import { FaultOptionsSchema } from "./core/component";
import { ContainerKillSpec } from "./docker/drivers/containerKill";
import { ContainerPauseSpec } from "./docker/drivers/containerPause";
import { ContainerRestartSpec } from "./docker/drivers/containerRestart";
import { ContainerStopSpec } from "./docker/drivers/containerStop";
import { NetworkDisconnectSpec } from "./docker/drivers/networkDisconnect";
import { ProcessKillSpec } from "./docker/drivers/processKill";
import { ResourceLimitsSpec } from "./docker/drivers/resourceLimits";

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
        ContainerKillSpec.extend({ kind: z.literal("docker:container-kill"), ...FaultEntry.shape }),
        ContainerStopSpec.extend({ kind: z.literal("docker:container-stop"), ...FaultEntry.shape }),
        ContainerRestartSpec.extend({ kind: z.literal("docker:container-restart"), ...FaultEntry.shape }),
        ContainerPauseSpec.extend({ kind: z.literal("docker:container-pause"), ...FaultEntry.shape }),
        ProcessKillSpec.extend({ kind: z.literal("docker:process-kill"), ...FaultEntry.shape }),
        ResourceLimitsSpec.extend({ kind: z.literal("docker:resource-limits"), ...FaultEntry.shape }),
    ],
    {
        error:
            "unknown fault kind; supported kinds: docker:network-disconnect, docker:container-kill, docker:container-stop, " +
            "docker:container-restart, docker:container-pause, docker:process-kill, docker:resource-limits",
    },
);
export type FaultSpec = z.infer<typeof FaultSpec>;

/** An experiment: what is broken, by whom and why. Read from the stack's `faultline:experiment` config. */
export const ExperimentSpec = z
    .object({
        name: FaultName,
        owner: z.string().min(1).optional(),
        description: z.string().optional(),
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
