import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { faultlineEnv, PROJECT_ROOT } from "./env";

/** Options of {@link openStack}. */
export interface OpenStackOptions {
    /** Experiment config to write into the stack (`faultline:experiment`); leave out to keep the stack's own. */
    experiment?: unknown;
    /** Extra environment for Pulumi and the program. */
    envVars?: Record<string, string>;
}

/**
 * Opens (creating if needed) a stack of this project through the Automation API, with the project's own Pulumi CLI
 * and local backend. The program is the repository's (Pulumi.yaml, stacks/index.ts), so what runs is exactly what
 * `pulumi up` runs.
 */
export async function openStack(stackName: string, opts: OpenStackOptions = {}): Promise<Stack> {
    const env = faultlineEnv();
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(env.FAULTLINE_PULUMI_BIN!) });
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir: PROJECT_ROOT },
        { pulumiCommand, envVars: { ...env, ...opts.envVars } },
    );
    if (opts.experiment !== undefined) {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(opts.experiment) });
    }
    return stack;
}

/** Removes a stack and its config file (stacks/Pulumi.<name>.yaml). Its resources must already be destroyed. */
export async function removeStack(stack: Stack): Promise<void> {
    await stack.workspace.removeStack(stack.name, { force: true });
    const { rm } = await import("node:fs/promises");
    await rm(path.join(PROJECT_ROOT, "stacks", `Pulumi.${stack.name}.yaml`), { force: true });
}
