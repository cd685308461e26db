import { PassThrough } from "node:stream";
import { dockerClient, isNotFound, type ExecResult } from "../core/docker";
import { FaultError } from "../core/errors";
import { Labels } from "../core/labels";

/**
 * The image fault helpers and reapers run: Debian with iptables (nf_tables), iproute2 (tc), stress-ng, procps,
 * psmisc, faketime and Node.js (scripts/build-images.sh). Overridable for users who build their own.
 */
export function toolsImage(): string {
    return process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1";
}

/** Options of {@link runHelper}. */
export interface HelperOptions {
    /** The command, run without a shell unless it is `["sh", "-c", script]`. */
    cmd: string[];
    /** Labels of the helper container: the fault's ownerLabels; `dev.faultline.role=helper` is added. */
    labels: Record<string, string>;
    /**
     * Network namespace: `container:<id>` to act on a target's interfaces and netfilter rules, `none` for a
     * throwaway namespace of its own (probes of kernel features). Defaults to `none`.
     */
    networkMode?: string;
    /** PID namespace, e.g. `container:<id>` to see and signal a target's processes. Defaults to the helper's own. */
    pidMode?: string;
    /** Linux capabilities to add; every other one beyond Docker's default set stays off. Defaults to none. */
    capAdd?: string[];
    /** Environment of the command, e.g. data a script reads, so nothing user-given is spliced into shell text. */
    env?: Record<string, string>;
    /** Image. Defaults to {@link toolsImage}. */
    image?: string;
    /** Bound on the whole run; a hung helper is killed so it can never hang a rollback. Defaults to 30 s. */
    timeoutMs?: number;
}

/**
 * Runs a short-lived helper container (like `docker run --rm`) and returns its exit code and output. This is how a
 * fault acts inside a target's namespaces without touching the target's image: the helper joins them
 * (`networkMode`/`pidMode: container:<id>`) with only the capabilities it needs, and removes itself on exit.
 */
export async function runHelper(opts: HelperOptions): Promise<ExecResult> {
    const docker = dockerClient();
    const container = await docker.createContainer({
        Image: opts.image ?? toolsImage(),
        Cmd: opts.cmd,
        Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
        Labels: { ...opts.labels, [Labels.role]: "helper" },
        AttachStdout: true,
        AttachStderr: true,
        HostConfig: {
            AutoRemove: true,
            NetworkMode: opts.networkMode ?? "none",
            ...(opts.pidMode ? { PidMode: opts.pidMode } : {}),
            CapAdd: opts.capAdd ?? [],
        },
    });
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
        // Attach and wait before start, as `docker run --rm` does: with AutoRemove the container is gone right after
        // it exits, so output and exit code are only to be had from streams opened before it starts.
        const stream = await container.attach({ stream: true, stdout: true, stderr: true });
        const o = new PassThrough().on("data", (b: Buffer) => out.push(b));
        const e = new PassThrough().on("data", (b: Buffer) => err.push(b));
        docker.modem.demuxStream(stream, o, e);
        const ended = new Promise<void>((resolve) => {
            stream.on("end", resolve);
            stream.on("close", resolve);
            stream.on("error", () => resolve());
        });
        const exited = container.wait({ condition: "next-exit" }) as Promise<{ StatusCode: number }>;
        await container.start();
        const timedOut = new Promise<never>((_, reject) => {
            timer = setTimeout(
                () => reject(new Error(`helper ${JSON.stringify(opts.cmd)} did not finish within ${timeoutMs} ms and was killed`)),
                timeoutMs,
            );
        });
        const [status] = await Promise.race([Promise.all([exited, ended]), timedOut]);
        return { exitCode: status.StatusCode, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
    } catch (error) {
        // Not started, killed by the timeout, or the engine failed: make sure no helper outlives this call.
        await container.remove({ force: true }).catch((e: unknown) => {
            if (!isNotFound(e) && !/already in progress/.test(String(e))) throw e;
        });
        throw error;
    } finally {
        clearTimeout(timer);
    }
}

/**
 * Runs `script` with `sh -c` in the network namespace of the running container `containerId`, with NET_ADMIN only,
 * and throws a FaultError naming `field` with the script's stderr when it fails.
 */
export async function runInNetns(
    containerId: string,
    script: string,
    opts: { labels: Record<string, string>; env?: Record<string, string>; field: string; what: string },
): Promise<ExecResult> {
    const result = await runHelper({
        cmd: ["sh", "-c", script],
        labels: opts.labels,
        networkMode: `container:${containerId}`,
        capAdd: ["NET_ADMIN"],
        ...(opts.env ? { env: opts.env } : {}),
    });
    if (result.exitCode !== 0) {
        const detail = (result.stderr.trim() || result.stdout.trim() || "no output").split("\n").slice(-5).join("; ");
        throw new FaultError(opts.field, `${opts.what} failed (exit ${result.exitCode}): ${detail}`);
    }
    return result;
}
