// Docker Compose as a library: what the ComposeStack resource's provider runs. Free of @pulumi/pulumi, like the
// drivers, so that it stays a thin layer over the `docker compose` CLI that tests can call directly.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { containerName, dockerClient } from "../../core/docker";
import type { ComposeSpec } from "../../../spec/environment";
import type { SpecIssue } from "../../core/errors";

/** The label Compose puts on everything of a project; the only way containers are found (never by name). */
export const COMPOSE_PROJECT_LABEL = "com.docker.compose.project";


/** One container of a project, as `read` and the outputs report it. */
export interface ComposeContainer {
    name: string;
    service: string;
    /** Docker's state: running, exited, restarting, paused, ... */
    state: string;
    /** healthy, unhealthy, starting, or "none" when the service has no healthcheck. */
    health: string;
}

/** `docker compose` failed; the message carries the command and the end of its output. */
export class ComposeError extends Error {
    override name = "ComposeError";
}

/**
 * The Compose command: `FAULTLINE_COMPOSE` when set (e.g. "docker-compose" for a standalone v2 binary), else the
 * Docker CLI plugin `docker compose` (scripts/setup-compose.sh installs it on machines without one).
 */
export function composeCommand(env: NodeJS.ProcessEnv = process.env): string[] {
    const custom = env.FAULTLINE_COMPOSE?.trim();
    return custom ? custom.split(/\s+/) : ["docker", "compose"];
}

/** The absolute path of the Compose file, resolved against `cwd`. */
export function resolveComposeFile(file: string, cwd: string = process.cwd()): string {
    return path.resolve(cwd, file);
}

/** Problems with the Compose file that must fail a preview: missing, or not a file Compose accepts. */
export async function checkComposeFile(spec: ComposeSpec, field = "composeFile"): Promise<SpecIssue[]> {
    if (!fs.existsSync(spec.composeFile) || !fs.statSync(spec.composeFile).isFile()) {
        return [{ path: field, message: `no file at ${spec.composeFile}; give the path of a Compose file (absolute, or relative to the Pulumi project)` }];
    }
    try {
        await runCompose(spec, ["config", "--quiet"], 60_000);
        return [];
    } catch (err) {
        return [{ path: field, message: `Compose rejects ${spec.composeFile}: ${err instanceof Error ? err.message : String(err)}` }];
    }
}

/** A hash of what `up` depends on (file content and variables): a change means the project must be updated. */
export function composeHash(spec: ComposeSpec): string {
    const h = createHash("sha256");
    h.update(fs.existsSync(spec.composeFile) ? fs.readFileSync(spec.composeFile) : "");
    h.update(JSON.stringify(Object.entries(spec.env ?? {}).sort()));
    return h.digest("hex").slice(0, 16);
}

/**
 * Runs `docker compose -f FILE -p PROJECT ARGS...` (or without -f when `spec.composeFile` is undefined) and
 * resolves with its output. Bounded by `timeoutMs`: Pulumi ignores customTimeouts for dynamic providers, so the
 * bound lives here; on timeout the process is killed and the call fails.
 */
export function runCompose(
    spec: Pick<ComposeSpec, "projectName" | "env"> & { composeFile?: string },
    args: string[],
    timeoutMs: number,
): Promise<{ stdout: string; stderr: string }> {
    const [cmd, ...pre] = composeCommand();
    const fileArgs = spec.composeFile ? ["-f", spec.composeFile] : [];
    const argv = [...pre, ...fileArgs, "-p", spec.projectName, ...args];
    const env = { ...process.env, ...spec.env, COMPOSE_PROJECT_NAME: spec.projectName };
    // Without a file, Compose would pick up a compose.yaml in the working directory or above: run it from the
    // temporary directory, where there is none, so that it works from the project's labels alone.
    const cwd = spec.composeFile ? path.dirname(spec.composeFile) : os.tmpdir();
    return new Promise((resolve, reject) => {
        const child = spawn(cmd!, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
        child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        const what = `\`${[cmd, ...argv].join(" ")}\``;
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(new ComposeError(`${what} could not start (${err.message}); install Docker Compose v2 (npm run setup) or set FAULTLINE_COMPOSE`));
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            if (code === 0) return resolve({ stdout, stderr });
            const tail = (stderr || stdout).trim().split("\n").slice(-15).join("\n");
            const why = signal ? `was killed after ${timeoutMs} ms` : `exited with ${code}`;
            reject(new ComposeError(`${what} ${why}:\n${tail}`));
        });
    });
}

/** The containers of a project on the local engine, found by Compose's project label, sorted by name. */
export async function projectContainers(projectName: string): Promise<ComposeContainer[]> {
    const listed = await dockerClient().listContainers({
        all: true,
        filters: JSON.stringify({ label: [`${COMPOSE_PROJECT_LABEL}=${projectName}`] }),
    });
    return listed
        .map((c) => ({
            name: containerName(c),
            service: c.Labels?.["com.docker.compose.service"] ?? "",
            state: c.State,
            health: /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1]?.replace("health: ", "") ?? "none",
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Brings the project up and waits until every service is running and healthy (`up --wait`). If that fails, the
 * project is taken down again before the error is thrown, so a failed create leaves nothing behind; the error
 * carries the logs of the services that were not healthy.
 */
export async function composeUp(spec: ComposeSpec): Promise<ComposeContainer[]> {
    const waitS = Math.ceil(spec.waitTimeout / 1000);
    try {
        // The outer bound leaves time for image pulls and container creation on top of the health wait.
        await runCompose(spec, ["up", "--detach", "--wait", "--wait-timeout", String(waitS), "--remove-orphans"], spec.waitTimeout + 120_000);
    } catch (err) {
        const bad = (await projectContainers(spec.projectName).catch(() => [])).filter((c) => c.state !== "running" || c.health === "unhealthy");
        const logs = await Promise.all(
            bad.map((c) =>
                runCompose(spec, ["logs", "--no-color", "--tail", "20", c.service], 30_000).then(
                    (r) => `--- ${c.service} (${c.state}, ${c.health}) ---\n${r.stdout.trim()}`,
                    () => "",
                ),
            ),
        );
        await composeDown(spec.projectName).catch(() => undefined);
        throw new ComposeError(`${err instanceof Error ? err.message : String(err)}${logs.length ? `\n${logs.join("\n")}` : ""}\n(the project was taken down again)`);
    }
    return projectContainers(spec.projectName);
}

/**
 * Takes the project down: containers, networks and volumes (`down -v --remove-orphans`). It finds them by project
 * name alone, with no Compose file, so it still works after the file moved or changed. Idempotent.
 */
export async function composeDown(projectName: string, timeoutMs = 120_000): Promise<void> {
    await runCompose({ projectName }, ["down", "--volumes", "--remove-orphans", "--timeout", "5"], timeoutMs);
}
