// Helper containers: containers of the tools image that act inside a target's namespaces (network: its interfaces
// and netfilter rules; PID: its processes, and its filesystem as /proc/1/root) or cgroup (so what they burn counts
// against the target's own limits). Drivers use them when the target itself lacks the program they need.
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { dockerClient, execInContainer, isNotFound, type ExecResult } from "../core/docker";
import { FaultError } from "../core/errors";
import { LABEL_PREFIX, Labels, ownerLabels, type FaultOwner } from "../core/labels";

/** Label with the id of the container a helper works on. */
export const TARGET_LABEL = `${LABEL_PREFIX}.target`;

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
    /** Capabilities to drop from Docker's default set, e.g. ["ALL"] to keep only `capAdd`. Defaults to none. */
    capDrop?: string[];
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
            ...(opts.capDrop ? { CapDrop: opts.capDrop } : {}),
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
        // "removed", as `docker run --rm` waits: "next-exit" returns before AutoRemove has removed the helper, so a
        // caller that lists containers right after (leftover checks, recover) could still see it.
        const exited = container.wait({ condition: "removed" }) as Promise<{ StatusCode: number }>;
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

/** A container a helper works on. */
export interface HelperTarget {
    id: string;
    name: string;
}

/** Options of {@link startHelper}: a long-lived helper bound to one target and one fault. */
export interface TargetHelperOptions {
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

/**
 * The name of a fault's long-lived helper on one target: what it is and whose, within Docker's limits. It depends
 * only on the fault's identity and the target, so a driver's `prepare` knows it before the helper exists, and a
 * revert finds the helper by it even when `apply` was killed before it learnt the helper's id.
 */
export function helperName(o: Pick<TargetHelperOptions, "purpose" | "owner" | "target">): string {
    const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "-").slice(0, 40);
    return `faultline-${o.purpose}-${safe(o.owner.stack)}-${safe(o.owner.fault)}-${o.target.id.slice(0, 12)}`;
}

async function createHelper(o: TargetHelperOptions, name: string): Promise<Docker.Container> {
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
export async function startHelper(o: TargetHelperOptions): Promise<{ id: string; name: string }> {
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
    const viaHelper = await runHelper({
        cmd: ["sh", "-c", script, "sh", "/proc/1/root", ...args],
        labels: { ...ownerLabels(owner), [TARGET_LABEL]: target.id, [`${LABEL_PREFIX}.purpose`]: purpose },
        pidMode: `container:${target.id}`,
        // Reaching another process's root needs ptrace-level access when the target holds more capabilities.
        capAdd: ["SYS_PTRACE"],
        timeoutMs,
    });
    return { ...viaHelper, via: "helper" };
}

/** Options of {@link runInNamespaces}. */
export interface NamespaceHelperOptions {
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

/**
 * Runs `cmd` in a helper that shares the target's network and/or PID namespace and keeps only the capabilities
 * asked for: {@link runHelper} with the fault's labels.
 */
export async function runInNamespaces(target: string, cmd: string[], opts: NamespaceHelperOptions): Promise<ExecResult> {
    return runHelper({
        cmd,
        labels: ownerLabels(opts.owner),
        networkMode: opts.network ? `container:${target}` : "none",
        ...(opts.pid ? { pidMode: `container:${target}` } : {}),
        capDrop: ["ALL"],
        capAdd: opts.capAdd ?? [],
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
}
