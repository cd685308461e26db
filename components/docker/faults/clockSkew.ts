import { z } from "zod";
import { dockerClient, inspectContainer } from "../../core/docker";
import { overallOutcome, type DriverContext, type FaultDriver, type Observation, type RevertOutcome } from "../../core/driver";
import { FaultError, type SpecIssue } from "../../core/errors";
import type { FaultOwner } from "../../core/labels";
import { parseDuration } from "../../../spec/units";
import { readFile, statPath, writeFile } from "../files";
import { runScriptOnTarget } from "../helper";
import { ContainerSelector, planContainers, selectContainers, selectForPreflight, type SelectedContainer } from "../selector";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Parses a signed offset ("+2h", "-30m", "+1d", "-1h30m", "+90s") into whole seconds. */
export function parseOffset(text: string): number | undefined {
    const m = /^([+-])(.+)$/.exec(text.trim());
    if (!m) return undefined;
    const days = /^(\d+)d$/.exec(m[2]!);
    const ms = days ? Number(days[1]) * 86_400_000 : parseDuration(m[2]!);
    if (ms === undefined || ms <= 0 || ms % 1000 !== 0) return undefined;
    return (m[1] === "-" ? -1 : 1) * (ms / 1000);
}

/** Spec of a clock skew: the target's processes see the wall clock moved by `offset`, through libfaketime. */
export const ClockSkewSpec = z
    .object({
        /** Which containers to skew, and how many of them (blast radius). */
        target: ContainerSelector,
        /**
         * How far to move the target's wall clock: a sign and a duration, e.g. "+2h", "-30m", "+1d", "-1h30m", "+90s".
         * Whole seconds; at most 3650 days either way.
         */
        offset: z
            .string({ error: 'required: how far to move the clock, e.g. "+2h" or "-30m"' })
            .refine((s) => {
                const secs = parseOffset(s);
                return secs !== undefined && Math.abs(secs) <= 3650 * 86_400;
            }, 'must be a sign and a duration of whole seconds up to 3650d, e.g. "+2h", "-30m", "+1d" or "-90s"'),
        /**
         * Restart the target after writing the skew and again after reverting it, so that every process starts
         * with the new time. Without a restart, running processes pick the change up within libfaketime's cache
         * period (FAKETIME_CACHE_DURATION, 10 s unless the image sets it; set it to 1). Defaults to false.
         */
        restart: z.boolean({ error: "must be true or false" }).default(false),
    })
    .strict();
export type ClockSkewSpec = z.infer<typeof ClockSkewSpec>;

/** One skewed target: the timestamp file written and what it held before. */
export interface SkewedTarget {
    containerId: string;
    containerName: string;
    /** The target's FAKETIME_TIMESTAMP_FILE. */
    file: string;
    /** The file's content before the fault; null when it did not exist (revert deletes it then). */
    previous: string | null;
    /** What the fault wrote: revert only touches the file while it still holds exactly this. */
    written: string;
    restarted: boolean;
}

/** The revert record of a clock skew. */
export interface ClockSkewRecord {
    /** Names and labels any helper container that deletes the file on targets without `rm`. */
    owner: FaultOwner;
    targets: SkewedTarget[];
}

/** Where glibc's dynamic loader lives on the architectures libfaketime ships for; without one, LD_PRELOAD is ignored. */
const GLIBC_LOADERS = ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"];

/** The faketime settings a target was started with, from its environment. */
interface FaketimeEnv {
    preload?: string;
    file?: string;
    faketime?: string;
    cacheDuration?: string;
    dontFakeMonotonic?: string;
}

function faketimeEnv(env: string[] | null | undefined): FaketimeEnv {
    const get = (k: string) => env?.find((e) => e.startsWith(`${k}=`))?.slice(k.length + 1);
    const preload = get("LD_PRELOAD")
        ?.split(/[:\s]+/)
        .find((p) => /libfaketime/.test(p));
    return {
        ...(preload ? { preload } : {}),
        ...(get("FAKETIME_TIMESTAMP_FILE") ? { file: get("FAKETIME_TIMESTAMP_FILE")! } : {}),
        ...(get("FAKETIME") !== undefined ? { faketime: get("FAKETIME")! } : {}),
        ...(get("FAKETIME_CACHE_DURATION") !== undefined ? { cacheDuration: get("FAKETIME_CACHE_DURATION")! } : {}),
        ...(get("FAKETIME_DONT_FAKE_MONOTONIC") !== undefined ? { dontFakeMonotonic: get("FAKETIME_DONT_FAKE_MONOTONIC")! } : {}),
    };
}

const CONTRACT = "see docs/stress-disk-clock.md, \"What a target needs for clock skew\"";

/** Why `c` cannot be skewed, or undefined when it can. Reads only its config and filesystem. */
async function unsupportedReason(c: SelectedContainer): Promise<string | undefined> {
    const info = await dockerClient().getContainer(c.id).inspect();
    const env = faketimeEnv(info.Config.Env);
    if (!env.preload) {
        return `container "${c.name}" does not load libfaketime: it must be started with LD_PRELOAD=<path of libfaketime.so.1> (${CONTRACT})`;
    }
    if (!(await statPath(c.id, env.preload))) {
        return `container "${c.name}" preloads ${env.preload}, which does not exist in it; add libfaketime to its image (${CONTRACT})`;
    }
    let loader = false;
    for (const l of GLIBC_LOADERS) if (await statPath(c.id, l)) loader = true;
    if (!loader) {
        return `container "${c.name}" has no glibc dynamic loader, so its programs are static or musl and ignore LD_PRELOAD; clock skew needs a glibc image (${CONTRACT})`;
    }
    if (!env.file || !env.file.startsWith("/")) {
        return `container "${c.name}" has no FAKETIME_TIMESTAMP_FILE=<absolute path>: the fault writes the offset there (${CONTRACT})`;
    }
    if (env.faketime !== undefined) {
        return `container "${c.name}" sets FAKETIME, which overrides the timestamp file; remove it from its environment (${CONTRACT})`;
    }
    const dir = env.file.replace(/\/[^/]*$/, "") || "/";
    if (!(await statPath(c.id, dir))) {
        return `the directory of FAKETIME_TIMESTAMP_FILE (${dir}) does not exist in container "${c.name}"; create it in the image`;
    }
    return undefined;
}

// $1 root prefix, $2 file. Prints "removed" or "absent"; exit 125 when the target has no rm (a helper retries).
const REMOVE_SCRIPT = `
f="$1$2"
if [ -e "$f" ]; then command -v rm >/dev/null 2>&1 || exit 125; rm -f "$f" && echo removed; else echo absent; fi
`;

/** Puts one target's clock back: the previous file content, or no file; restarts it if the fault did. */
async function unskew(t: SkewedTarget, owner: FaultOwner, ctx: DriverContext): Promise<RevertOutcome> {
    const info = await inspectContainer(t.containerId);
    if (!info) {
        ctx.warn(`container "${t.containerName}" no longer exists; there is no clock to put back`);
        return "target-gone";
    }
    const current = (await readFile(t.containerId, t.file))?.toString("utf8");
    // Someone else (the reaper, a human) already changed the file, or `apply` never wrote it (killed before): it is
    // not ours to touch. The same when it already held the skew before: the fault changed nothing there.
    if (current !== t.written || t.previous === t.written) return "already-reverted";
    if (t.previous !== null) {
        await writeFile(t.containerId, t.file, Buffer.from(t.previous, "utf8"));
    } else if (info.State.Running) {
        const r = await runScriptOnTarget({ id: t.containerId, name: t.containerName }, owner, "clock-skew", REMOVE_SCRIPT, [t.file]);
        if (r.exitCode !== 0) throw new Error(`could not delete ${t.file} in "${t.containerName}": ${(r.stderr || r.stdout).trim()}`);
    } else {
        // A stopped container cannot run rm; a zero offset is the same clock as no file.
        await writeFile(t.containerId, t.file, Buffer.from("+0\n", "utf8"));
        ctx.warn(`container "${t.containerName}" is stopped: ${t.file} was set to "+0" (real time) instead of being deleted`);
    }
    if (t.restarted && info.State.Running) await dockerClient().getContainer(t.containerId).restart();
    return "reverted";
}

async function revertSkew(record: ClockSkewRecord, ctx: DriverContext): Promise<RevertOutcome> {
    const outcomes: RevertOutcome[] = [];
    for (const t of record.targets) outcomes.push(await unskew(t, record.owner, ctx));
    return overallOutcome(outcomes);
}

export const driver: FaultDriver<ClockSkewSpec, ClockSkewRecord, z.input<typeof ClockSkewSpec>> = {
    kind: "docker:clock-skew",
    target: "docker",
    schema: ClockSkewSpec,

    describe: (spec) => `move the wall clock of the selected container(s) by ${spec.offset}${spec.restart ? ", restarting them" : ""}`,

    async preflight(spec): Promise<SpecIssue[]> {
        const selection = await selectForPreflight(spec.target);
        if ("issues" in selection) return selection.issues;
        const issues: SpecIssue[] = [];
        for (const c of selection.selected) {
            const reason = await unsupportedReason(c);
            if (reason) issues.push({ path: "spec.target", message: reason });
        }
        return issues;
    },

    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => planContainers(spec.target),

    async prepare(spec, ctx) {
        const selected = await selectContainers(spec.target, "spec.target");
        const seconds = parseOffset(spec.offset)!;
        // Plain signed seconds is the one offset format every libfaketime version reads the same way.
        const written = `${seconds >= 0 ? "+" : ""}${seconds}\n`;
        const targets: SkewedTarget[] = [];
        for (const c of selected) {
            const reason = await unsupportedReason(c);
            if (reason) throw new FaultError("spec.target", reason);
            const env = faketimeEnv((await dockerClient().getContainer(c.id).inspect()).Config.Env);
            if (env.dontFakeMonotonic !== "1") {
                ctx.warn(`"${c.name}" has no FAKETIME_DONT_FAKE_MONOTONIC=1: its monotonic clock is skewed too, and timers may stall when the skew is reverted`);
            }
            if (!spec.restart && env.cacheDuration === undefined) {
                ctx.info(`"${c.name}" keeps libfaketime's default cache: its running processes see the skew within 10 s`);
            }
            const previous = (await readFile(c.id, env.file!))?.toString("utf8") ?? null;
            targets.push({ containerId: c.id, containerName: c.name, file: env.file!, previous, written, restarted: spec.restart });
        }
        return { owner: ctx.owner, targets };
    },

    async apply(record) {
        for (const t of record.targets) {
            await writeFile(t.containerId, t.file, Buffer.from(t.written, "utf8"));
            if (t.restarted) await dockerClient().getContainer(t.containerId).restart();
        }
    },

    revert: (record, ctx) => revertSkew(record, ctx),

    async observe(record): Promise<Observation> {
        const skewed: string[] = [];
        for (const t of record.targets) {
            if (!(await inspectContainer(t.containerId))) continue;
            if ((await readFile(t.containerId, t.file))?.toString("utf8") === t.written) skewed.push(`"${t.containerName}"`);
        }
        return skewed.length > 0
            ? { active: true, detail: `clock skewed in ${skewed.join(", ")}` }
            : { active: false, detail: "no clock is skewed" };
    },
};

/**
 * A skewed clock: the target's processes see the wall clock moved by `offset`, through libfaketime, which the
 * target's image preloads and which reads the offset from the file named by FAKETIME_TIMESTAMP_FILE.
 *
 * `pulumi up` writes the offset into that file (recording what it held); `pulumi destroy` puts back the previous
 * content, or deletes the file if there was none, and restarts the target again if the fault did. After `ttl` a
 * reaper does the same.
 *
 * ```ts
 * new ClockSkew("worker-clock", { target: { name: "demo-worker" }, offset: "+2h", ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "clock",
    component: "ClockSkew",
    up: "shifts the target's clock with libfaketime (target images opt in)",
    revert: "restores the previous clock",
    docs: "[stress, disk, clock](docs/stress-disk-clock.md)",
    module: __filename,
    driver,
});
