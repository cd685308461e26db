import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root (where Pulumi.yaml is). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Where scripts/setup.sh records the resolved environment (see write_env_file in scripts/lib.sh). */
export const ENV_FILE = path.join(PROJECT_ROOT, ".faultline", "env");

/**
 * The environment every faultline process runs Pulumi with: the toolchain directory on PATH, the local file backend
 * and the offline settings, as scripts/setup.sh resolved them. Variables already set in `base` win, as in the shell.
 */
export function faultlineEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    if (!fs.existsSync(ENV_FILE)) {
        throw new Error(`${ENV_FILE} is missing: run \`npm run setup\` (scripts/setup.sh) first`);
    }
    const env: Record<string, string> = {};
    for (const line of fs.readFileSync(ENV_FILE, "utf8").split("\n")) {
        const eq = line.indexOf("=");
        if (eq <= 0) continue;
        const key = line.slice(0, eq);
        env[key] = base[key] ?? line.slice(eq + 1);
    }
    const bin = env.FAULTLINE_PULUMI_BIN;
    if (!bin) throw new Error(`${ENV_FILE} has no FAULTLINE_PULUMI_BIN: re-run \`npm run setup\``);
    const rest = (base.PATH ?? "").split(path.delimiter).filter((p) => p && p !== bin);
    env.PATH = [bin, ...rest].join(path.delimiter);
    return env;
}

/** Applies {@link faultlineEnv} to this process, so the Automation API and child processes find Pulumi. */
export function useFaultlineEnv(): Record<string, string> {
    const env = faultlineEnv();
    const backend = env.PULUMI_BACKEND_URL ?? "";
    if (backend.startsWith("file://")) fs.mkdirSync(backend.slice("file://".length), { recursive: true });
    Object.assign(process.env, env);
    return env;
}
