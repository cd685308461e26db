import * as fs from "node:fs";
import * as path from "node:path";
import { CACHE_DIR, PACKAGE_ROOT } from "../components/core/modules";

/**
 * The faultline installation: this repository when run from source or from its dist/, or a user's
 * node_modules/faultline. Shipped files (the policy pack, the setup scripts, the schema) are found from here.
 */
export const INSTALL_ROOT = PACKAGE_ROOT;

/**
 * The Pulumi project a command works on: FAULTLINE_PROJECT when set, else the nearest directory at or above the
 * working directory with a Pulumi.yaml, else this installation (this repository is one such project).
 */
export function findProjectRoot(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
    if (env.FAULTLINE_PROJECT) return path.resolve(env.FAULTLINE_PROJECT);
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) return INSTALL_ROOT;
    }
}

/** The project of this process (see {@link findProjectRoot}): its stacks/, .faultline/state, locks and runs. */
export const PROJECT_ROOT = findProjectRoot();


/**
 * The environment files, in the order they are looked for: the project's own (scripts/setup.sh in this repository,
 * `faultline setup` in a user's project), the installation's, and the one setup leaves in the cache for any project.
 */
export const ENV_FILES: readonly string[] = [
    path.join(PROJECT_ROOT, ".faultline", "env"),
    path.join(INSTALL_ROOT, ".faultline", "env"),
    path.join(CACHE_DIR, "env"),
];

/** The environment file of this project (the first of {@link ENV_FILES} that exists; the project's own if none). */
export const ENV_FILE: string = ENV_FILES.find((f) => fs.existsSync(f)) ?? ENV_FILES[0]!;

/**
 * The environment every faultline process runs Pulumi with: the toolchain directory on PATH, the local file backend
 * and the offline settings, as setup resolved them. Variables already set in `base` win, as in the shell. A project
 * that borrows another's environment file keeps its own state: `<project>/.faultline/state`.
 */
export function faultlineEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    if (!fs.existsSync(ENV_FILE)) {
        throw new Error(`Pulumi is not set up for faultline (no ${ENV_FILES.join(", ")}): run \`npx faultline setup\` (in this repository: \`npm run setup\`)`);
    }
    const env: Record<string, string> = {};
    for (const line of fs.readFileSync(ENV_FILE, "utf8").split("\n")) {
        const eq = line.indexOf("=");
        if (eq <= 0) continue;
        const key = line.slice(0, eq);
        env[key] = base[key] ?? line.slice(eq + 1);
    }
    if (ENV_FILE !== ENV_FILES[0] && !base.PULUMI_BACKEND_URL) env.PULUMI_BACKEND_URL = `file://${path.join(PROJECT_ROOT, ".faultline", "state")}`;
    const bin = env.FAULTLINE_PULUMI_BIN;
    if (!bin) throw new Error(`${ENV_FILE} has no FAULTLINE_PULUMI_BIN: re-run \`npx faultline setup\` (in this repository: \`npm run setup\`)`);
    const rest = (base.PATH ?? "").split(path.delimiter).filter((p) => p && p !== bin);
    env.PATH = [bin, ...rest].join(path.delimiter);
    env.NODE_OPTIONS = withLazyLoad(base.NODE_OPTIONS);
    return env;
}

/**
 * Preloaded into every Node.js process Pulumi starts (program, dynamic provider, policy pack): it defers the heavy
 * modules @pulumi/pulumi loads and these processes rarely use (arborist, TypeScript, the Automation API, the
 * program's tracing SDK), about 60 % of its load (see the file).
 */
export const LAZY_LOAD = path.join(INSTALL_ROOT, "scripts", "pulumi-language-nodejs", "lazy-load.js");

/** `options` (NODE_OPTIONS) with {@link LAZY_LOAD} required, once; the user's own options kept. */
function withLazyLoad(options: string | undefined): string {
    const own = options?.trim() ?? "";
    if (own.includes(LAZY_LOAD)) return own;
    return [own, `--require ${JSON.stringify(LAZY_LOAD)}`].filter(Boolean).join(" ");
}

/** Applies {@link faultlineEnv} to this process, so the Automation API and child processes find Pulumi. */
export function useFaultlineEnv(): Record<string, string> {
    const env = faultlineEnv();
    const backend = env.PULUMI_BACKEND_URL ?? "";
    if (backend.startsWith("file://")) fs.mkdirSync(backend.slice("file://".length), { recursive: true });
    Object.assign(process.env, env);
    return env;
}

/** The name in a project's Pulumi.yaml, which every fault's labels carry (`owner.project`). */
export function readProjectName(root: string = PROJECT_ROOT): string {
    const file = path.join(root, "Pulumi.yaml");
    const name = /^name:\s*["']?([^"'\s#]+)/m.exec(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "")?.[1];
    if (!name) throw new Error(`${file} has no \`name:\`; a Pulumi project needs one (faultline init writes it)`);
    return name;
}
