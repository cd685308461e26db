import * as fs from "node:fs";
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

/** The project's workspace (no stack selected): for listing stacks. */
export async function projectWorkspace(): Promise<LocalWorkspace> {
    const env = faultlineEnv();
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(env.FAULTLINE_PULUMI_BIN!) });
    return LocalWorkspace.create({ workDir: PROJECT_ROOT, pulumiCommand, envVars: env });
}

/** The policy pack directory (policies/). */
export const POLICY_DIR = path.join(PROJECT_ROOT, "policies");

/**
 * The policy packs to run with preview and up: policies/ when it has a PulumiPolicy.yaml and its dependencies are
 * installed (the pack runs from its own node_modules). Throws when the pack exists but is not installed, because
 * running an experiment without its guardrails must never happen silently.
 */
export function policyPacks(): string[] {
    if (!fs.existsSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"))) return [];
    if (!fs.existsSync(path.join(POLICY_DIR, "node_modules"))) {
        throw new Error(`the policy pack in ${POLICY_DIR} is not installed; run \`npm install\` there (or \`npm run setup\`)`);
    }
    return [POLICY_DIR];
}

/** Resources in a stack's state other than the stack itself and providers: the faults still in. */
export async function liveResources(stack: Stack): Promise<Array<{ urn: string; type: string }>> {
    const state = await stack.exportStack();
    const resources = ((state.deployment as { resources?: Array<{ urn: string; type: string }> }).resources ?? []);
    return resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"));
}

/** Pending operations in a stack's state (left by an interrupted update). */
export async function pendingOperations(stack: Stack): Promise<number> {
    const state = await stack.exportStack();
    return ((state.deployment as { pending_operations?: unknown[] }).pending_operations ?? []).length;
}

/** The experiment in a stack's config (`faultline:experiment`), as written; undefined when it has none. */
export async function readExperimentConfig(stack: Stack): Promise<unknown> {
    const all = await stack.getAllConfig();
    const v = all["faultline:experiment"];
    if (!v) return undefined;
    try {
        return JSON.parse(v.value);
    } catch {
        return v.value;
    }
}

/**
 * Repairs what a SIGKILLed `pulumi` can leave in the local file backend, where every later command on the stack (and
 * `pulumi stack ls`) fails with "failed to load checkpoint: EOF": the backend (gocloud's fileblob) writes a checkpoint
 * to a temp file and renames it into place, which is atomic, but writes the checkpoint's `.attrs` sidecar in place, so
 * a kill in the middle leaves it empty. An empty sidecar is removed: the backend reads a missing one as "no
 * attributes", and an empty one is never valid, so this is safe at any time. With a stack name, whose update is known
 * to be dead, the killed write's temp files go too. Returns what was removed.
 */
export function repairKilledCheckpoint(stackName?: string, project = "faultline"): string[] {
    const backend = faultlineEnv().PULUMI_BACKEND_URL ?? "";
    if (!backend.startsWith("file://")) return [];
    const stacks = path.join(backend.slice("file://".length), ".pulumi", "stacks");
    const removed: string[] = [];
    for (const dir of [path.join(stacks, project), stacks]) {
        if (!fs.existsSync(dir)) continue;
        for (const f of fs.readdirSync(dir)) {
            if (!f.includes(".json") || (stackName !== undefined && !f.startsWith(`${stackName}.json`))) continue;
            const file = path.join(dir, f);
            const emptySidecar = f.endsWith(".attrs") && fs.statSync(file).size === 0;
            const killedWrite = stackName !== undefined && f.endsWith(".tmp");
            if (emptySidecar || killedWrite) {
                fs.rmSync(file, { force: true });
                removed.push(file);
            }
        }
    }
    return removed;
}
