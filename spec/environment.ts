// The environment under test, as an experiment declares it: a Compose project the stack owns.
import { z } from "zod";
import { LongDuration } from "./fields";

/** What a compose environment is: a file, a project name, and the variables the file interpolates. */
export const ComposeSpec = z
    .object({
        /** Path of the Compose file, absolute or relative to the working directory (the Pulumi project). */
        composeFile: z
            .string({ error: "required: the path of a Compose file, e.g. demo/compose.yaml" })
            .min(1, "must not be empty: give the path of a Compose file, e.g. demo/compose.yaml"),
        /** Compose project name: it prefixes containers, networks and volumes, so two copies can run side by side. */
        projectName: z
            .string({ error: "required: a Compose project name, e.g. faultline-demo" })
            .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "use lowercase letters, digits, '-' and '_', starting with a letter or digit (Compose's rule)"),
        /** Variables for the file's ${...} interpolation (ports, image names); they win over the environment's. */
        env: z.record(z.string(), z.string()).optional(),
        /** How long `up` waits for every service to be running and healthy. Defaults to 3 minutes. */
        waitTimeout: LongDuration.default(180_000),
    })
    .strict();
export type ComposeSpec = z.infer<typeof ComposeSpec>;
