// Helper containers: short- or long-lived containers of the tools image that run a command inside a target's
// namespaces (its PID namespace, so /proc/1/root is the target's filesystem) or cgroup (so what they burn counts
// against the target's own limits). Drivers use them when the target itself lacks the program they need.
import type Docker from "dockerode";
import { dockerClient, execInContainer, isNotFound, type ExecResult } from "../core/docker";
import { LABEL_PREFIX, Labels, ownerLabels, type FaultOwner } from "../core/labels";

/** Label with the id of the container a helper works on. */
export const TARGET_LABEL = `${LABEL_PREFIX}.target`;

/** The image helpers run: Debian with stress-ng, iptables, iproute2, procps, faketime. */
export function toolsImage(): string {
    return process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1";
}

/** A container a helper works on. */
export interface HelperTarget {
    id: string;
    name: string;
}

/** Options of {@link startHelper} and {@link runHelper}. */
export interface HelperOptions {
    target: HelperTarget;
    owner: FaultOwner;
    /** What the helper is for, in one word: part of its name (`faultline-<purpose>-…`). */
    purpose: string;
    cmd: string[];
    /** Join the target's PID namespace (its processes, and its filesystem as /proc/1/root). Defaults to true. */
    pidNamespace?: boolean;
    /**
     * Run in a child of the target's cgroup, so the target's CPU and memory limits bound the helper and the target's
     * usage (`docker stats`, cgroup counters) includes it. Needs {@link cgroupNestingIssue} to be undefined.
     */
    nestCgroup?: boolean;
    /** Capabilities to drop; defaults to none (Docker's default set). */
    capDrop?: string[];
    capAdd?: string[];
}

/**
 * Why helpers cannot be nested in a target's cgroup on this engine, or undefined when they can. Nesting relies on
 * the cgroupfs driver (a container's cgroup is a plain path that CgroupParent can name) and on cgroup v1 (v2 forbids
 * processes in a cgroup that also has children with controllers).
 */
export async function cgroupNestingIssue(): Promise<string | undefined> {
    const info = (await dockerClient().info()) as { CgroupDriver?: string; CgroupVersion?: string };
    if (info.CgroupDriver === "cgroupfs" && (info.CgroupVersion ?? "1") === "1") return undefined;
    return (
        `this Docker engine uses the ${info.CgroupDriver ?? "?"} cgroup driver on cgroup v${info.CgroupVersion ?? "?"}; ` +
        "running a stressor inside a target's cgroup needs the cgroupfs driver on cgroup v1 " +
        "(dockerd --exec-opt native.cgroupdriver=cgroupfs)"
    );
}

/** The cgroup path of a container under the cgroupfs driver: its CgroupParent (default /docker), then its id. */
async function cgroupPathOf(targetId: string): Promise<string> {
    const info = await dockerClient().getContainer(targetId).inspect();
    const parent = (info.HostConfig.CgroupParent || "/docker").replace(/\/+$/, "");
    return `${parent.startsWith("/") ? parent : `/${parent}`}/${info.Id}`;
}

/** A name that says what the helper is and whose it is, within Docker's limits. */
function helperName(o: HelperOptions): string {
    const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "-").slice(0, 40);
    return `faultline-${o.purpose}-${safe(o.owner.stack)}-${safe(o.owner.fault)}-${o.target.id.slice(0, 12)}`;
}

async function createHelper(o: HelperOptions, name: string): Promise<Docker.Container> {
    return dockerClient().createContainer({
        name,
        Image: toolsImage(),
        Cmd: o.cmd,
        Labels: { ...ownerLabels(o.owner), [Labels.role]: "helper", [TARGET_LABEL]: o.target.id },
        HostConfig: {
            NetworkMode: "none",
            ...(o.pidNamespace === false ? {} : { PidMode: `container:${o.target.id}` }),
            ...(o.nestCgroup ? { CgroupParent: await cgroupPathOf(o.target.id) } : {}),
            ...(o.capDrop ? { CapDrop: o.capDrop } : {}),
            ...(o.capAdd ? { CapAdd: o.capAdd } : {}),
        },
    });
}

/**
 * Starts a long-lived helper (e.g. a stressor) and returns at once. The caller records its id and removes it with
 * {@link removeContainer} on revert.
 */
export async function startHelper(o: HelperOptions): Promise<{ id: string; name: string }> {
    const name = helperName(o);
    // A helper of the same name is a leftover of an earlier inject of this very fault: replace it.
    await removeContainer(name);
    const c = await createHelper(o, name);
    try {
        await c.start();
    } catch (err) {
        await c.remove({ force: true }).catch(() => undefined);
        throw err;
    }
    return { id: c.id, name };
}

/** Splits Docker's multiplexed log stream (8-byte frame headers) into stdout and stderr. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let i = 0;
    while (i + 8 <= buf.length) {
        const kind = buf[i];
        const size = buf.readUInt32BE(i + 4);
        (kind === 2 ? err : out).push(buf.subarray(i + 8, i + 8 + size));
        i += 8 + size;
    }
    return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/**
 * Runs a one-shot helper to completion (bounded by `timeoutMs`), returns its exit code and output, and removes it
 * whatever happened.
 */
export async function runHelper(o: HelperOptions, timeoutMs = 60_000): Promise<ExecResult> {
    const name = `${helperName(o)}-${Date.now().toString(36)}`;
    const c = await createHelper(o, name);
    try {
        await c.start();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`helper ${name} did not finish within ${timeoutMs} ms`)), timeoutMs);
        });
        const waited = (await Promise.race([c.wait(), timeout]).finally(() => clearTimeout(timer))) as { StatusCode: number };
        const logs = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
        return { exitCode: waited.StatusCode, ...demux(logs) };
    } finally {
        await c.remove({ force: true }).catch(() => undefined);
    }
}

/** Removes a container by id or name; true when it existed, false when it was already gone. */
export async function removeContainer(ref: string): Promise<boolean> {
    try {
        await dockerClient().getContainer(ref).remove({ force: true });
        return true;
    } catch (err) {
        if (isNotFound(err)) return false;
        // Docker answers 409 while a removal of the same container is already in progress: it is going away.
        if ((err as { statusCode?: number }).statusCode === 409) return true;
        throw err;
    }
}

/** Exit codes that mean the target has no `sh` (126/127 from the runtime) or lacks a tool the script needs (125). */
const NO_TOOLS = new Set([125, 126, 127]);

/**
 * Runs a POSIX shell script against a target's filesystem. First inside the target itself (`docker exec`: fast, and
 * the files belong to the target's own root); if the target has no shell or lacks a tool (the script exits 125),
 * in a helper that shares the target's PID namespace and reaches its filesystem through /proc/1/root. The script
 * gets the root prefix ("" or "/proc/1/root") as $1 and `args` as $2…, and must exit 125 when a tool is missing.
 */
export async function runScriptOnTarget(
    target: HelperTarget,
    owner: FaultOwner,
    purpose: string,
    script: string,
    args: string[],
    timeoutMs = 60_000,
): Promise<ExecResult & { via: "exec" | "helper" }> {
    const inTarget = await execInContainer(target.id, ["sh", "-c", script, "sh", "", ...args], { timeoutMs, user: "0" });
    if (!NO_TOOLS.has(inTarget.exitCode)) return { ...inTarget, via: "exec" };
    const viaHelper = await runHelper(
        {
            target,
            owner,
            purpose,
            cmd: ["sh", "-c", script, "sh", "/proc/1/root", ...args],
            // Reaching another process's root needs ptrace-level access when the target holds more capabilities.
            capAdd: ["SYS_PTRACE"],
        },
        timeoutMs,
    );
    return { ...viaHelper, via: "helper" };
}
