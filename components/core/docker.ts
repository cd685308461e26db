import type Docker from "dockerode";

/**
 * A Docker Engine API client. It honours DOCKER_HOST like the docker CLI does (dockerode reads it when no options
 * are given), and is created on demand because dynamic providers and reapers run in their own processes. dockerode
 * (with docker-modem and ssh2, 43 modules) is required here, at the first client, not when this module loads: the
 * Pulumi program loads this module through the components but never talks to the engine (the providers do), and
 * requiring dockerode took 1.1-1.8 s at load 18.
 */
export function dockerClient(): Docker {
    const Client = require("dockerode") as { default?: typeof Docker } & typeof Docker;
    return new (Client.default ?? Client)();
}

/** A listed container's name, without the leading slash the engine's list puts on it. */
export function containerName(c: { Names?: string[] }): string {
    return (c.Names?.[0] ?? "").replace(/^\//, "");
}

/** True when a dockerode error is the engine's 404 (no such container, network or image). */
export function isNotFound(err: unknown): boolean {
    return typeof err === "object" && err !== null && (err as { statusCode?: number }).statusCode === 404;
}

/** Result of a command run inside a container. */
export interface ExecResult {
    exitCode: number;
    stdout: string;
    stderr: string;
}

/** How long output may still arrive after an exec's process has exited, when its stream has not ended by itself. */
const EXEC_OUTPUT_GRACE_MS = 300;

/**
 * Runs `cmd` inside a running container (like `docker exec`) and waits for it, with a bound on the wait so a hung
 * command can never hang a rollback. Output is demultiplexed into stdout and stderr.
 */
export async function execInContainer(
    container: string,
    cmd: string[],
    opts: { timeoutMs?: number; user?: string; privileged?: boolean } = {},
): Promise<ExecResult> {
    const docker = dockerClient();
    const exec = await docker.getContainer(container).exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
        ...(opts.user ? { User: opts.user } : {}),
        ...(opts.privileged ? { Privileged: true } : {}),
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const { PassThrough } = await import("node:stream");
    const o = new PassThrough();
    const e = new PassThrough();
    o.on("data", (b: Buffer) => out.push(b));
    e.on("data", (b: Buffer) => err.push(b));
    docker.modem.demuxStream(stream, o, e);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    await new Promise<void>((resolve, reject) => {
        let settled = false;
        const finish = (e2?: Error) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            clearInterval(poll);
            if (e2) reject(e2);
            else resolve();
        };
        const timer = setTimeout(() => {
            stream.destroy();
            finish(new Error(`command ${JSON.stringify(cmd)} in container ${container} did not finish within ${timeoutMs} ms`));
        }, timeoutMs);
        stream.on("end", () => finish());
        stream.on("close", () => finish());
        stream.on("error", (e2: Error) => finish(e2));
        // The engine does not always end a hijacked exec stream when the process exits (dockerode#422, "sometimes not
        // end"; seen here as a `test -e` that "did not finish within 30000 ms" under load), so the exec's own state
        // ends the wait too: once it has exited, its output is given a moment to arrive, then the stream is closed.
        let exitedAt: number | undefined;
        const poll = setInterval(() => {
            exec.inspect()
                .then((i) => {
                    if (i.Running) return;
                    exitedAt ??= Date.now();
                    if (Date.now() - exitedAt < EXEC_OUTPUT_GRACE_MS) return;
                    stream.destroy();
                    finish();
                })
                .catch(() => undefined);
        }, 500);
    });
    const info = await exec.inspect();
    return {
        exitCode: info.ExitCode ?? -1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
    };
}

/** `docker network inspect`, or undefined when there is no such network (any other error is thrown). */
export async function inspectNetwork(ref: string): Promise<{ Id: string; Name: string } | undefined> {
    try {
        return (await dockerClient().getNetwork(ref).inspect()) as { Id: string; Name: string };
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

/** `docker inspect` of a container, or undefined when it does not exist (any other error is thrown). */
export async function inspectContainer(ref: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
        return await dockerClient().getContainer(ref).inspect();
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}
