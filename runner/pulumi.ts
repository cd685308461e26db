import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { LocalWorkspace, PulumiCommand, Stack, StackAlreadyExistsError, type ConfigMap, type EngineEvent, type PolicyEvent, type PreviewOptions, type PreviewResult, type UpOptions, type UpResult } from "@pulumi/pulumi/automation";
import * as semver from "semver";
import { parse as parseYaml } from "yaml";
import { policies } from "../policies/policies";
import { faultlineEnv, INSTALL_ROOT, PROJECT_ROOT, readProjectName } from "./env";
import { stackFile } from "./input";
import { processAlive } from "./lock";

/** Options of {@link openStack}. */
export interface OpenStackOptions {
    /** Experiment config to write into the stack (`faultline:experiment`); leave out to keep the stack's own. */
    experiment?: unknown;
    /**
     * Run this experiment instead of the stack's own, without touching the stack's file: it is written to a
     * temporary file that the program reads (EXPERIMENT_FILE_ENV). What `run`/`plan --experiment` use.
     */
    experimentCopy?: unknown;
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
    const pulumiCommand = await pulumiCli(env.FAULTLINE_PULUMI_BIN!);
    const copy: Record<string, string> = opts.experimentCopy !== undefined ? { [EXPERIMENT_FILE_ENV]: temporaryExperiment(opts.experimentCopy) } : {};
    const workspace = await LocalWorkspace.create({ workDir: PROJECT_ROOT, pulumiCommand, envVars: { ...env, ...opts.envVars, ...copy } });
    const stack = await stackIn(workspace, stackName);
    if (opts.experiment !== undefined) {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(opts.experiment) });
    }
    return stack;
}

/**
 * The stack `stackName` of `workspace`, created if it does not exist, with one CLI start at most. The Automation API's
 * createOrSelect runs `pulumi stack select` (a CLI start, 0.3-0.5 s on a quiet machine), then `stack init` when the
 * select failed: two starts for a new stack, one for an existing one, only to learn whether it exists. Every command
 * names its stack (`--stack`), so nothing needs it selected. In the local file backend its checkpoint file answers
 * ({@link checkpointOf}): an existing stack is used as it is, a new one is created (`stack init`) directly. Other
 * backends are asked the Automation API's way.
 */
async function stackIn(workspace: LocalWorkspace, stackName: string): Promise<Stack> {
    if (fileBackendRoot() === undefined) return Stack.createOrSelect(stackName, workspace);
    if (checkpointOf(stackName) !== undefined) {
        const known = Object.create(workspace) as LocalWorkspace;
        known.selectStack = async () => undefined;
        return Stack.select(stackName, known);
    }
    // Another process may have created it since the look: then it is selected after all.
    return Stack.create(stackName, workspace).catch((err: unknown) => {
        if (err instanceof StackAlreadyExistsError) return Stack.select(stackName, workspace);
        throw err;
    });
}

/**
 * `stack` for an `up` or `destroy` whose result is not read. The Automation API follows every `up` with `pulumi stack
 * output` twice and `pulumi stack history`, and every `destroy` with `stack history`, only to fill in the result's
 * `outputs` and `summary`: four CLI starts per run (6.6 s of `up`'s 81 s at load 25 in the bench:runner trace). The
 * runner reads what it needs from the engine's events and the state instead, so on this view of the stack those two
 * reads return nothing: the result's `outputs` is `{}` and its `summary` undefined. A failed command still throws.
 */
export function withoutResultReads(stack: Stack): Stack {
    const lean = Object.create(stack) as Stack;
    Object.assign(lean, { outputs: async () => ({}), info: async () => undefined });
    return lean;
}

/**
 * `stack` for a command that writes its checkpoint once, when it ends, instead of after every step
 * (PULUMI_SKIP_CHECKPOINTS). The engine's file backend rewrites the whole checkpoint, and copies the previous one to
 * a backup, about twice per resource step: the cost of a step grows with the stack, so at 100 faults the writes were
 * 7.6 s of an up + destroy of 20 s (bench:scale), the part of each extra fault's cost that grows with N. A command
 * that ends, also failed or cancelled, still writes its final state; one killed with SIGKILL writes none, and the
 * state stays as it was before the command. Used only where that loses nothing (docs/recover.md, "Checkpoints"):
 * - `destroy`: the state from before it lists every resource, those it had deleted too, and the next destroy
 *   (rollback, `recover`) deletes them again; every delete here takes an already-deleted resource as done.
 * - `up` of a stack whose custom resources are Docker faults and the experiment ({@link checkpointFreeUp}): each
 *   fault is armed in its stack's reaper before it goes in, and the armed faults the state does not know are
 *   reverted by the reaper at their TTL, and at once by the runner's rollback and `recover`.
 */
export function withoutCheckpoints(stack: Stack): Stack {
    const workspace = Object.create(stack.workspace) as LocalWorkspace;
    Object.assign(workspace, { envVars: { ...stack.workspace.envVars, PULUMI_SKIP_CHECKPOINTS: "true" } });
    return Object.assign(Object.create(stack) as Stack, { workspace });
}

/**
 * A fresh path for an update plan (`pulumi preview --save-plan`), in a private temporary directory of this process,
 * removed when it exits (one directory and one exit handler however many runs the process makes). The plan holds the
 * previewed inputs of every resource (secrets stay encrypted).
 */
export function planFile(): string {
    if (!plans) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-plan-"));
        process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        plans = { dir, next: 0 };
    }
    return path.join(plans.dir, `plan-${plans.next++}.json`);
}

let plans: { dir: string; next: number } | undefined;

/**
 * `pulumi up --plan <plan>`: the update constrained to what the preview that wrote `plan` reviewed, without the
 * policy pack. The pack ran at that preview; with the plan the engine fails, before the resource's create, any
 * resource whose checked inputs (what resource policies judge) differ from the previewed ones, or that the preview
 * did not plan. So running the pack again in `up` (about 1 s: the engine starts the pack's language host before the
 * program) could only repeat the preview's verdict on resources, and its stack policies would run after the faults
 * are in, too late to stop an injection. The result's outputs and summary are not read ({@link withoutResultReads}).
 * Without a plan (`undefined`: the runner's `planHolds` says the stack's inputs differ between runs of the program),
 * the up runs the pack again instead. `checkpoints: false`: see {@link withoutCheckpoints}.
 */
export function upAsPreviewed(stack: Stack, plan: string | undefined, opts: Omit<UpOptions, "plan" | "policyPacks"> = {}, checkpoints = true): Promise<UpResult> {
    return withoutResultReads(checkpoints ? stack : withoutCheckpoints(stack)).up(plan ? { ...opts, plan } : { ...opts, policyPacks: policyPacks() });
}

/**
 * The project's Pulumi CLI for the Automation API. `PulumiCommand.get` runs `pulumi version` (a CLI start, 0.2-0.4 s)
 * to learn the version. The CLI that setup built records its version beside its path (FAULTLINE_PULUMI_VERSION in
 * .faultline/toolchain.env), so that handle is made directly, as `get` would make it after the look; another binary is
 * asked, once per process.
 */
export function pulumiCli(binDir: string): Promise<PulumiCommand> {
    let cli = clis.get(binDir);
    if (!cli) {
        const env = faultlineEnv();
        const known = binDir === env.FAULTLINE_PULUMI_BIN ? semver.parse(env.FAULTLINE_PULUMI_VERSION) : null;
        cli = known ? Promise.resolve(commandOf(path.join(binDir, "pulumi"), known)) : PulumiCommand.get({ root: path.dirname(binDir) });
        // A failed look is not remembered: the next caller tries again (and gets the error itself).
        cli.catch(() => clis.delete(binDir));
        clis.set(binDir, cli);
    }
    return cli;
}

/** A PulumiCommand for `command` of `version`: what `PulumiCommand.get` returns, whose constructor is private. */
function commandOf(command: string, version: semver.SemVer): PulumiCommand {
    return Object.assign(Object.create(PulumiCommand.prototype) as PulumiCommand, { command, version });
}

const clis = new Map<string, Promise<PulumiCommand>>();

/** The variable that points the program (stacks/index.ts) at a temporary experiment instead of the stack's config. */
export const EXPERIMENT_FILE_ENV = "FAULTLINE_EXPERIMENT_FILE";

/** Writes an experiment to a temporary file (removed when this process exits) and returns its path. */
function temporaryExperiment(experiment: unknown): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-experiment-"));
    const file = path.join(dir, "experiment.json");
    fs.writeFileSync(file, JSON.stringify(experiment));
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    return file;
}

/** Removes a stack and its config file (stacks/Pulumi.<name>.yaml). Its resources must already be destroyed. */
export async function removeStack(stack: Stack): Promise<void> {
    await stack.workspace.removeStack(stack.name, { force: true });
    const { rm } = await import("node:fs/promises");
    await rm(stackFile(stack.name), { force: true });
}

/** The project's workspace (no stack selected): for listing stacks. */
export async function projectWorkspace(): Promise<LocalWorkspace> {
    const env = faultlineEnv();
    const pulumiCommand = await pulumiCli(env.FAULTLINE_PULUMI_BIN!);
    return LocalWorkspace.create({ workDir: PROJECT_ROOT, pulumiCommand, envVars: env });
}

/**
 * The policy pack directory: the compiled pack in dist/policies (scripts/build.js; it runs as JavaScript and
 * resolves its dependencies from the package's node_modules), or the TypeScript pack in policies/ when nothing is
 * built. Shipped in the package, so a user's project runs the same guardrails.
 */
export const POLICY_DIR = fs.existsSync(path.join(INSTALL_ROOT, "dist", "policies", "PulumiPolicy.yaml"))
    ? path.join(INSTALL_ROOT, "dist", "policies")
    : path.join(INSTALL_ROOT, "policies");

/**
 * The policy packs to run with preview and up: policies/ when it has a PulumiPolicy.yaml and its dependencies are
 * installed (the pack runs from its own node_modules). Throws when the pack exists but is not installed, because
 * running an experiment without its guardrails must never happen silently.
 */
export function policyPacks(): string[] {
    if (!fs.existsSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"))) return [];
    if (!POLICY_DIR.endsWith(path.join("dist", "policies")) && !fs.existsSync(path.join(POLICY_DIR, "node_modules"))) {
        throw new Error(`the policy pack in ${POLICY_DIR} is not installed; run \`npm install\` there (or \`npm run setup\`)`);
    }
    return [POLICY_DIR];
}

/** One policy result of a preview or update. */
export interface PolicyViolation {
    /** The policy's name, e.g. `fault-ttl`. */
    policy: string;
    /** `mandatory` blocks the preview or update; `advisory` is a warning. */
    level: "mandatory" | "advisory";
    /** URN of the resource in violation; absent when the whole stack is. */
    resource?: string;
    /** The resource's name (the last part of its URN), or "stack" when the whole stack is in violation. */
    resourceName: string;
    /** The resource's type name, the last part of its type token (`DockerNetworkDisconnect`), or "" for the stack. */
    resourceType: string;
    /** The policy pack, e.g. `faultline-guardrails`. */
    pack: string;
    /** The policy's one-line description: the rule. */
    description: string;
    /** What is wrong, as the policy wrote it. */
    message: string;
    /** How to fix it: the policy's remediation steps ("" when it has none). */
    fix: string;
}

/** Each policy's remediation steps, by name, from the pack itself (the pack imports nothing of ours). */
const FIXES = new Map(policies.map((p) => [p.name, p.remediationSteps ?? ""]));

/** One policy event of the engine as a {@link PolicyViolation}. */
export function policyViolation(p: PolicyEvent): PolicyViolation {
    // The engine sends "<policy description>\n<violation message>\n".
    const [description = "", ...rest] = p.message.trimEnd().split("\n");
    const urn = p.resourceUrn ?? "";
    const parts = urn.split("::");
    return {
        policy: p.policyName,
        level: p.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
        ...(urn ? { resource: urn } : {}),
        resourceName: urn ? parts.at(-1)! : "stack",
        // `pulumi-nodejs:dynamic/faultline:DockerNetworkDisconnect` (a dynamic resource) reads as its last part.
        resourceType: urn ? (parts.at(-2) ?? "").split("$").at(-1)!.split(":").at(-1)! : "",
        pack: p.policyPackName,
        description,
        message: rest.join(" ").trim() || description,
        fix: FIXES.get(p.policyName) ?? "",
    };
}

/** What {@link previewWithPolicies} returns. */
export interface PolicyPreview {
    /** The packs that ran ({@link policyPacks}); empty when the project has none. */
    packs: string[];
    /** False when a mandatory policy failed: the experiment must not be injected. */
    passed: boolean;
    violations: PolicyViolation[];
    /** The preview itself (absent when the engine stopped on a mandatory violation). */
    preview?: PreviewResult;
    /** What the engine printed, including its "Policies:" section. */
    stdout: string;
}

/**
 * The one way plan and run preview a stack: `pulumi preview --diff` with the project's policy packs
 * ({@link policyPacks}), collecting the policy results from the engine's events. A mandatory violation makes the
 * engine fail the preview; that is reported as `passed: false`, not thrown. Any other failure (a program error, a
 * bad spec, an abort) is thrown as the Automation API's error.
 */
export async function previewWithPolicies(stack: Stack, opts: PreviewOptions = {}): Promise<PolicyPreview> {
    const packs = policyPacks();
    const violations: PolicyViolation[] = [];
    const onEvent = (e: EngineEvent) => {
        if (e.policyEvent) violations.push(policyViolation(e.policyEvent));
        opts.onEvent?.(e);
    };
    // The Automation API keeps a failed command's output private; onOutput sees it either way.
    let stdout = "";
    const onOutput = (out: string) => {
        stdout += out;
        opts.onOutput?.(out);
    };
    const all = [...packs, ...(opts.policyPacks ?? [])];
    try {
        const preview = await stack.preview({ diff: true, ...opts, ...(all.length ? { policyPacks: all } : {}), onEvent, onOutput });
        return { packs, passed: !violations.some((v) => v.level === "mandatory"), violations, preview, stdout };
    } catch (err) {
        if (!violations.some((v) => v.level === "mandatory")) throw err;
        return { packs, passed: false, violations, stdout };
    }
}

/** A violation in one line, the way `plan` and `run` print it: level, policy, resource (name and type), message, fix. */
export function violationLine(v: PolicyViolation): string {
    const where = v.resource ? `${v.resourceName} (${v.resourceType})` : "the stack";
    const stop = /[.!?]$/.test(v.message) ? "" : ".";
    return `[${v.level}] ${v.policy} on ${where}: ${v.message}${stop}${v.fix ? ` Fix: ${v.fix}` : ""}`;
}

/** The first lines of an Automation API error, without its command dump. */
export function errorSummary(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    const stderr = /stderr: ([\s\S]*?)(?:\n\s*err\?:|$)/.exec(text)?.[1];
    const lines = (stderr ?? text).split("\n").map((l) => l.trim()).filter((l) => l && !/^(code|stdout|stderr):/.test(l));
    const interesting = lines.filter((l) => /error|violat|mandatory|advisory|refus/i.test(l));
    return (interesting.length ? interesting : lines).slice(0, 6).join(" | ").slice(0, 1200);
}

/** What one export of a stack's state says: the faults still in, the ids of everything in it, pending operations. */
export interface StackStateSummary {
    /** Resources other than the stack itself and providers: the faults still in. */
    live: Array<{ urn: string; type: string }>;
    /** The resource ids in the state (reapers are matched to faults by them). */
    ids: Set<string | undefined>;
    /** Pending operations (left by an interrupted update). */
    pending: number;
}

/** The part of a stack's deployment (`pulumi stack export`'s `deployment`, the checkpoint's `latest`) read here. */
export interface Deployment {
    resources?: Array<{ urn: string; type: string; id?: string; outputs?: Record<string, unknown> }>;
    pending_operations?: unknown[];
}

/**
 * Reads a stack's state once and returns what callers ask of it, so that a caller needing two of these answers does
 * not read the stack twice. In the local file backend it reads the checkpoint file itself ({@link checkpointOf}), the
 * file `pulumi stack export` reads, without the CLI start (0.3-0.5 s, and a run reads the state before and after its
 * rollback); elsewhere it exports the stack.
 */
export async function stackState(stack: Stack): Promise<StackStateSummary> {
    const deployment: Deployment = checkpointOf(stack.name) ?? ((await stack.exportStack()).deployment as Deployment);
    const resources = deployment.resources ?? [];
    return {
        live: resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")).map(({ urn, type }) => ({ urn, type })),
        ids: new Set(resources.map((r) => r.id)),
        pending: (deployment.pending_operations ?? []).length,
    };
}

/**
 * A stack's deployment as the local file backend holds it (`.pulumi/stacks/<project>/<stack>.json`, or `.json.gz`
 * with PULUMI_DIY_BACKEND_GZIP), the same `latest` that `pulumi stack export` prints. Undefined, for the caller to ask
 * the CLI, when the backend is not a file backend, the stack name is qualified, or there is no checkpoint file. The
 * backend writes the file to a temporary name and renames it into place, so a read never sees half a write.
 */
export function checkpointOf(stackName: string, project = readProjectName()): Deployment | undefined {
    const root = fileBackendRoot();
    if (!root || stackName.includes("/")) return undefined;
    const stacks = path.join(root, ".pulumi", "stacks");
    for (const base of [path.join(stacks, project, stackName), path.join(stacks, stackName)]) {
        for (const [file, gzip] of [[`${base}.json`, false], [`${base}.json.gz`, true]] as const) {
            if (!fs.existsSync(file)) continue;
            const raw = fs.readFileSync(file);
            const text = (gzip ? zlib.gunzipSync(raw) : raw).toString("utf8");
            return ((JSON.parse(text) as { checkpoint?: { latest?: Deployment } }).checkpoint?.latest ?? {}) as Deployment;
        }
    }
    return undefined;
}

/** Resources in a stack's state other than the stack itself and providers: the faults still in. */
export async function liveResources(stack: Stack): Promise<Array<{ urn: string; type: string }>> {
    return (await stackState(stack)).live;
}

/** Pending operations in a stack's state (left by an interrupted update). */
export async function pendingOperations(stack: Stack): Promise<number> {
    return (await stackState(stack)).pending;
}

/**
 * A stack's config as `pulumi config --json` (`getAllConfig`) gives it. When the stack's file holds only plain values
 * (no secret, no ESC environment) and the project declares no config of its own, it is read from the file: the CLI
 * start that the Automation API spends on it (0.3-0.5 s) buys nothing there. Otherwise the CLI is asked, which
 * decrypts secrets and merges the project's config.
 */
export async function stackConfig(stack: Stack): Promise<ConfigMap> {
    return plainConfig(stack.name) ?? (await stack.getAllConfig());
}

/** The config in the file of stack `stackName`, when it can be read without the CLI (see {@link stackConfig}); else undefined. */
export function plainConfig(stackName: string): ConfigMap | undefined {
    const project = parseYaml(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { name?: string; config?: unknown; stackConfigDir?: string } | null;
    if (!project?.name || project.config !== undefined) return undefined;
    const file = path.join(PROJECT_ROOT, project.stackConfigDir ?? ".", `Pulumi.${stackName}.yaml`);
    if (!fs.existsSync(file)) return {};
    const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown>; environment?: unknown };
    if (doc.environment !== undefined || JSON.stringify(doc.config ?? {}).includes('"secure"')) return undefined;
    const out: ConfigMap = {};
    for (const [key, v] of Object.entries(doc.config ?? {})) {
        out[key.includes(":") ? key : `${project.name}:${key}`] = { value: typeof v === "string" ? v : JSON.stringify(v), secret: false };
    }
    return out;
}

/** The experiment in a stack's config (`faultline:experiment`, from `getAllConfig`), as written; undefined when it has none. */
export function experimentConfigOf(all: Record<string, { value: string }>): unknown {
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
export function repairKilledCheckpoint(stackName?: string, project = readProjectName()): string[] {
    const root = fileBackendRoot();
    if (!root) return [];
    const stacks = path.join(root, ".pulumi", "stacks");
    const removed: string[] = [];
    for (const dir of [path.join(stacks, project), stacks]) {
        if (!fs.existsSync(dir)) continue;
        for (const f of fs.readdirSync(dir)) {
            if (!f.includes(".json") || (stackName !== undefined && !f.startsWith(`${stackName}.json`))) continue;
            const file = path.join(dir, f);
            // Another stack's command may remove its file between the listing and this look (a `.bak.attrs`, say).
            const emptySidecar = f.endsWith(".attrs") && fs.statSync(file, { throwIfNoEntry: false })?.size === 0;
            const killedWrite = stackName !== undefined && f.endsWith(".tmp");
            if (emptySidecar || killedWrite) {
                fs.rmSync(file, { force: true });
                removed.push(file);
            }
        }
    }
    return removed;
}

/** The directory of the local file backend (PULUMI_BACKEND_URL file://...); undefined for any other backend. */
function fileBackendRoot(): string | undefined {
    const backend = faultlineEnv().PULUMI_BACKEND_URL ?? "";
    return backend.startsWith("file://") ? backend.slice("file://".length) : undefined;
}

/** A lock an update holds on a stack in the local file backend, and whether its process still runs. */
export interface BackendLock {
    file: string;
    pid: number;
    hostname: string;
    /** When the update took it (ISO 8601). */
    timestamp: string;
    /** False only when the holder is provably dead: a process of this host that is gone (or whose pid was reused). */
    alive: boolean;
}

/**
 * The update locks on a stack in the local file backend. Each `pulumi up`, `refresh` or `destroy` writes
 * `.pulumi/locks/<org>/<project>/<stack>/<uuid>.json` holding its pid, user, host and start time, and deletes it at
 * the end (pkg/backend/diy/lock.go); a SIGKILLed one leaves it, and every later update of the stack refuses to run.
 */
export function backendLocks(stackName: string, project = readProjectName()): BackendLock[] {
    const root = fileBackendRoot();
    const locks = root && path.join(root, ".pulumi", "locks");
    if (!locks || !fs.existsSync(locks)) return [];
    // Project-scoped stacks lock under <org>/<project>/<stack>; stacks of older backends under <stack>.
    const dirs = [path.join(locks, stackName), ...fs.readdirSync(locks).map((org) => path.join(locks, org, project, stackName))];
    return dirs.filter((d) => fs.existsSync(d) && fs.statSync(d).isDirectory()).flatMap((dir) =>
        fs.readdirSync(dir).filter((f) => f.endsWith(".json")).flatMap((f): BackendLock[] => {
            const file = path.join(dir, f);
            try {
                const l = JSON.parse(fs.readFileSync(file, "utf8")) as { pid: number; hostname: string; timestamp: string };
                const alive = l.hostname !== os.hostname() || processAlive(l.pid, new Date(l.timestamp));
                return [{ file, pid: l.pid, hostname: l.hostname, timestamp: l.timestamp, alive }];
            } catch {
                // Gone since the listing (its command ended): no lock. Torn by a kill during its write (the backend
                // writes it in place): alive only while that write may last.
                const stat = fs.statSync(file, { throwIfNoEntry: false });
                return stat ? [{ file, pid: 0, hostname: "", timestamp: "", alive: Date.now() - stat.mtimeMs < 5000 }] : [];
            }
        }),
    );
}

/**
 * Clears the locks of updates that died, the file backend's `pulumi cancel`. Not `pulumi cancel` itself: it deletes
 * every lock of the stack, also one a live update took a moment ago; this deletes exactly the dead ones. Returns the
 * locks removed and the live ones left (whose updates are running: wait for them).
 */
export function clearDeadBackendLocks(stackName: string, project = readProjectName()): { removed: BackendLock[]; live: BackendLock[] } {
    const locks = backendLocks(stackName, project);
    for (const l of locks) {
        if (l.alive) continue;
        fs.rmSync(l.file, { force: true });
        // The blob store's attribute sidecar, which the backend writes beside each lock and never lists.
        fs.rmSync(`${l.file}.attrs`, { force: true });
    }
    return { removed: locks.filter((l) => !l.alive), live: locks.filter((l) => l.alive) };
}
