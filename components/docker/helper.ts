import { dockerClient, type ExecResult } from "../core/docker";
import { Labels, ownerLabels, type FaultOwner } from "../core/labels";

/** The image helper containers run: Debian with iptables, iproute2, procps, psmisc, stress-ng, faketime, nodejs. */
export function toolsImage(): string {
    return process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1";
}

/** Options of {@link runInNamespaces}. */
export interface HelperOptions {
    /** Whose fault this helper works for: written into its labels, so leak checks and `recover` find it. */
    owner: FaultOwner;
    /** Join the target's network namespace (NetworkMode `container:<target>`). Defaults to false (no network). */
    network?: boolean;
    /** Join the target's PID namespace (PidMode `container:<target>`), to see and signal its processes. */
    pid?: boolean;
    /** Capabilities the command needs, e.g. ["NET_ADMIN"] or ["KILL"]; every other one is dropped. */
    capAdd?: string[];
    /** Upper bound on the whole run, in milliseconds. Defaults to 30 s. */
    timeoutMs?: number;
}

/** Splits Docker's multiplexed log stream (8-byte frame headers: stream type, 3 zero bytes, big-endian length). */
function demux(buf: Buffer): { stdout: string; stderr: string } {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let off = 0;
    while (off + 8 <= buf.length) {
        const type = buf[off];
        const len = buf.readUInt32BE(off + 4);
        const chunk = buf.subarray(off + 8, off + 8 + len);
        (type === 2 ? err : out).push(chunk);
        off += 8 + len;
    }
    return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/**
 * Runs `cmd` in a short-lived helper container that shares the target's network and/or PID namespace, waits for
 * it, and removes it whatever happens. The target needs none of the tools: they come with the helper image. The
 * helper keeps only the capabilities asked for and carries the fault's labels with role `helper`.
 */
export async function runInNamespaces(target: string, cmd: string[], opts: HelperOptions): Promise<ExecResult> {
    const docker = dockerClient();
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const container = await docker.createContainer({
        Image: toolsImage(),
        Cmd: cmd,
        Labels: { ...ownerLabels(opts.owner), [Labels.role]: "helper" },
        HostConfig: {
            NetworkMode: opts.network ? `container:${target}` : "none",
            ...(opts.pid ? { PidMode: `container:${target}` } : {}),
            CapDrop: ["ALL"],
            CapAdd: opts.capAdd ?? [],
        },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
        await container.start();
        const waited = (await Promise.race([
            container.wait(),
            new Promise((_, reject) => {
                timer = setTimeout(
                    () => reject(new Error(`helper command ${JSON.stringify(cmd)} for ${target} did not finish within ${timeoutMs} ms`)),
                    timeoutMs,
                );
            }),
        ])) as { StatusCode: number };
        const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
        return { exitCode: waited.StatusCode, ...demux(logs) };
    } finally {
        clearTimeout(timer);
        await container.remove({ force: true }).catch(() => undefined);
    }
}
