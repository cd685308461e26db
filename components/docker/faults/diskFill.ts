import * as path from "node:path";
import { z } from "zod";
import { inspectContainer } from "../../core/docker";
import { overallOutcome, type DriverContext, type FaultDriver, type Observation, type RevertOutcome } from "../../core/driver";
import { FaultError, type SpecIssue } from "../../core/errors";
import type { FaultOwner } from "../../core/labels";
import { formatBytes } from "../../../spec/units";
import { ByteSize, exactlyOneOf } from "../../../spec/fields";
import { diskFillIssues, filesystemCapacity, measureTargets } from "../bounds";
import { isDirectory, statPath } from "../files";
import { runScriptOnTarget } from "../helper";
import { ContainerSelector, selectContainers, selectForPreflight } from "../selector";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Spec of a disk fill: one file that takes up space in a directory of the target's filesystem or volume. */
export const DiskFillSpec = z
    .object({
        /** Which containers to fill, and how many of them (blast radius). */
        target: ContainerSelector,
        /**
         * Absolute path of a directory inside the target: on its root filesystem or on a volume mounted there (the
         * file lands on whatever filesystem holds this directory). Defaults to "/tmp".
         */
        path: z
            .string({ error: 'must be an absolute directory path inside the target, e.g. "/data"' })
            .regex(/^\/[^\0]*$/, 'must be an absolute path inside the target, e.g. "/data"')
            .refine((p) => !p.split("/").includes(".."), 'must not contain ".."; give the directory\'s own absolute path')
            .default("/tmp"),
        /**
         * How much to write: bytes or a size such as "512MiB". Give this or `percent`. Must leave the reserve free
         * (checked at preview; capped there at injection, when the free space may have changed).
         */
        bytes: ByteSize.optional(),
        /**
         * How much to write, as a percentage of the space free in `path` at injection. Give this or `bytes`. Must
         * leave the reserve free (`reservePercent`), so 100 is refused unless reservePercent is 0.
         */
        percent: z
            .number({ error: "must be a percentage of the free space, e.g. 90" })
            .gt(0, "must be greater than 0")
            .max(100, "must be at most 100 (100 fills the filesystem)")
            .optional(),
        /**
         * Share of the filesystem's size, in percent, that the fill always leaves free: a container's `/` (and a
         * volume or bind mount) is the host's own disk, which the host needs too. Defaults to 10; 0 lets a dedicated
         * filesystem (a tmpfs of the target's own) be filled to the brim.
         */
        reservePercent: z
            .number({ error: "must be a percentage of the filesystem's size, e.g. 10" })
            .min(0, "must be between 0 and 90")
            .max(90, "must be between 0 and 90")
            .default(10),
    })
    .strict()
    .superRefine(exactlyOneOf("bytes", "percent", 'give exactly one of bytes (e.g. "512MiB") or percent (of the free space, e.g. 90)'));
export type DiskFillSpec = z.infer<typeof DiskFillSpec>;

/** One filled target: exactly which file was written, and how much. */
export interface FilledTarget {
    containerId: string;
    containerName: string;
    /** Absolute path of the fill file inside the target. */
    file: string;
    /** Free bytes in the directory before the fill (set by `apply`). */
    freeBefore?: number;
    /** Bytes asked for, after applying `percent` and the cap at the free space (set by `apply`). */
    requested?: number;
    /** Bytes actually written: less than requested when the filesystem ran out first (set by `apply`). */
    written?: number;
}

/** The revert record of a disk fill: the files to delete, named before any is written. */
export interface DiskFillRecord {
    /** Who wrote the files; names and labels any helper container that observes or deletes them. */
    owner: FaultOwner;
    /** How much `apply` writes (records written by `prepare`): the spec's `bytes` or `percent`. */
    amount?: { bytes?: number; percent?: number; reservePercent?: number };
    targets: FilledTarget[];
}

/** The fill file's name: owned by faultline, one per stack and fault, so revert deletes exactly it. */
export function fillFileName(owner: Pick<FaultOwner, "stack" | "fault">): string {
    const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "-");
    return `.faultline-fill-${safe(owner.stack)}-${safe(owner.fault)}`;
}

// $1 root prefix, $2 directory, $3 file name, $4 bytes or "", $5 percent of the free space in hundredths or "",
// $6 reserve in hundredths of a percent of the filesystem's size (kept free whatever was asked: the free space may
// have shrunk since the preview). Prints "free requested written". Exit 125 (a tool is missing) makes
// runScriptOnTarget retry from a helper.
const FILL_SCRIPT = `
command -v stat >/dev/null 2>&1 || exit 125
d="$1$2"; f="$d/$3"; bytes="$4"; pct="$5"
[ -d "$d" ] || { echo "no directory $2" >&2; exit 3; }
rm -f "$f" 2>/dev/null
fs=$(stat -f -c '%a %S %b' "$d") || exit 125
set -- $fs "$6"
free=$(( $1 * $2 )); size=$(( $3 * $2 )); reserve=$(( size / 10000 * $4 + size % 10000 * $4 / 10000 ))
if [ -n "$bytes" ]; then want=$bytes; else want=$(( free / 10000 * pct + free % 10000 * pct / 10000 )); fi
room=$(( free > reserve ? free - reserve : 0 ))
[ "$want" -gt "$room" ] && want=$room
if ! { command -v fallocate >/dev/null 2>&1 && fallocate -l "$want" "$f" 2>/dev/null; }; then
  command -v dd >/dev/null 2>&1 || exit 125
  # No fallocate (or a filesystem without it): write zeros; dd stops at ENOSPC and what it wrote stays.
  dd if=/dev/zero of="$f" bs=65536 count=$(( (want + 65535) / 65536 )) 2>/dev/null
  [ -e "$f" ] && [ "$(stat -c %s "$f")" -gt "$want" ] && truncate -s "$want" "$f" 2>/dev/null
fi
[ -e "$f" ] || { echo "could not create $f" >&2; exit 4; }
echo "$free $want $(stat -c %s "$f")"
`;

// $1 root prefix, $2 file. Prints "removed" or "absent".
const REMOVE_SCRIPT = `
f="$1$2"
if [ -e "$f" ]; then command -v rm >/dev/null 2>&1 || exit 125; rm -f "$f" && echo removed; else echo absent; fi
`;

// $1 root prefix, $2 file. Prints "present" or "absent" (only sh's own test needed).
const PRESENT_SCRIPT = `if [ -e "$1$2" ]; then echo present; else echo absent; fi`;

/** Whether the container runs; undefined when it is gone. */
async function isRunning(id: string): Promise<boolean | undefined> {
    return (await inspectContainer(id))?.State.Running;
}

/** Deletes one fill file; "target-gone" when the container is gone. */
async function removeFill(t: FilledTarget, owner: FaultOwner, ctx: DriverContext): Promise<RevertOutcome> {
    const running = await isRunning(t.containerId);
    if (running === undefined) {
        ctx.warn(`container "${t.containerName}" no longer exists; its fill file went with it`);
        return "target-gone";
    }
    if (!running) {
        throw new FaultError(
            "spec.target",
            `container "${t.containerName}" is stopped, so ${t.file} cannot be deleted from it; start it (the reaper retries) or remove it`,
        );
    }
    const r = await runScriptOnTarget({ id: t.containerId, name: t.containerName }, owner, "disk-fill", REMOVE_SCRIPT, [t.file]);
    if (r.exitCode !== 0) throw new Error(`could not delete ${t.file} in "${t.containerName}": ${(r.stderr || r.stdout).trim()}`);
    return r.stdout.trim() === "removed" ? "reverted" : "already-reverted";
}

function notADirectory(dir: string, container: string): FaultError {
    return new FaultError("spec.path", `${dir} is not a directory in container "${container}"; give a directory that exists there`);
}

/** Writes one target's fill file and records how much went in. */
async function fillOne(t: FilledTarget, record: DiskFillRecord, ctx: DriverContext): Promise<void> {
    const dir = path.posix.dirname(t.file);
    // Records written before the reserve existed carry none: they keep the old behaviour (no reserve).
    const { bytes, percent, reservePercent = 0 } = record.amount ?? {};
    const r = await runScriptOnTarget({ id: t.containerId, name: t.containerName }, record.owner, "disk-fill", FILL_SCRIPT, [
        dir,
        path.posix.basename(t.file),
        bytes !== undefined ? String(bytes) : "",
        percent !== undefined ? String(Math.round(percent * 100)) : "",
        String(Math.round(reservePercent * 100)),
    ]);
    if (r.exitCode === 3) throw notADirectory(dir, t.containerName);
    const m = /^(\d+) (\d+) (\d+)$/m.exec(r.stdout);
    if (r.exitCode !== 0 || !m) {
        throw new Error(`could not fill ${dir} in "${t.containerName}" (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
    }
    Object.assign(t, { freeBefore: Number(m[1]), requested: Number(m[2]), written: Number(m[3]) });
    if (t.written! < t.requested!) {
        ctx.warn(`"${t.containerName}": ${dir} ran out of space after ${formatBytes(t.written!)} of ${formatBytes(t.requested!)}`);
    }
}

async function revertFill(record: DiskFillRecord, ctx: DriverContext): Promise<RevertOutcome> {
    const outcomes: RevertOutcome[] = [];
    for (const t of record.targets) outcomes.push(await removeFill(t, record.owner, ctx));
    return overallOutcome(outcomes);
}

export const driver: FaultDriver<DiskFillSpec, DiskFillRecord, z.input<typeof DiskFillSpec>> = {
    kind: "docker:disk-fill",
    target: "docker",
    schema: DiskFillSpec,

    describe: (spec) =>
        `write ${spec.bytes !== undefined ? formatBytes(spec.bytes) : `${spec.percent}% of the free space`} ` +
        `into ${spec.path} of the selected container(s), leaving ${spec.reservePercent}% of the filesystem free ` +
        "(the plan's targets name the host device behind it)",

    async preflight(spec): Promise<SpecIssue[]> {
        const selection = await selectForPreflight(spec.target);
        if ("issues" in selection) return selection.issues;
        const issues: SpecIssue[] = [];
        for (const c of selection.selected) {
            const st = await statPath(c.id, spec.path);
            if (!st || !isDirectory(st)) issues.push({ path: "spec.path", message: notADirectory(spec.path, c.name).message.replace(/^spec\.path: /, "") });
        }
        return issues.length > 0 ? issues : diskFillIssues(spec, await measureTargets(spec.target, (c) => filesystemCapacity(c, spec.path, spec)));
    },

    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => measureTargets(spec.target, (c) => filesystemCapacity(c, spec.path, spec)),

    async prepare(spec, ctx) {
        const selected = await selectContainers(spec.target, "spec.target");
        // The file's path comes from the fault's identity, so the record names it before it exists.
        const file = path.posix.join(spec.path, fillFileName(ctx.owner));
        for (const c of selected) {
            const st = await statPath(c.id, spec.path);
            if (!st || !isDirectory(st)) throw notADirectory(spec.path, c.name);
        }
        const amount = { ...(spec.bytes !== undefined ? { bytes: spec.bytes } : { percent: spec.percent! }), reservePercent: spec.reservePercent };
        return { owner: ctx.owner, amount, targets: selected.map((c) => ({ containerId: c.id, containerName: c.name, file })) };
    },

    async apply(record, ctx) {
        for (const t of record.targets) await fillOne(t, record, ctx);
    },

    revert: (record, ctx) => revertFill(record, ctx),

    async observe(record): Promise<Observation> {
        const present: string[] = [];
        for (const t of record.targets) {
            if (!(await isRunning(t.containerId))) continue;
            const r = await runScriptOnTarget({ id: t.containerId, name: t.containerName }, record.owner, "disk-fill", PRESENT_SCRIPT, [t.file]);
            if (r.stdout.trim() === "present") present.push(`${t.file} in "${t.containerName}"`);
        }
        return present.length > 0
            ? { active: true, detail: `fill file present: ${present.join(", ")}` }
            : { active: false, detail: "no fill file is present" };
    },
};

/**
 * A filling disk: one file, `.faultline-fill-<stack>-<fault>`, that takes up space in a directory of the target.
 *
 * `pulumi up` allocates it (fallocate, or dd when the filesystem lacks it, stopping at ENOSPC and recording what
 * was written); `pulumi destroy` deletes exactly that file. The work runs inside the target when it has a shell,
 * otherwise in a helper container that reaches the target's filesystem through its PID namespace. After `ttl` a
 * reaper deletes the file.
 *
 * ```ts
 * new DiskFill("db-disk", { target: { name: "demo-db" }, path: "/var/lib/data", percent: 95, ttl: "10m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "disk",
    component: "DiskFill",
    up: "a file of N bytes or a percentage of free space in the target's filesystem or volume",
    revert: "deletes exactly that file",
    docs: "[stress, disk, clock](docs/stress-disk-clock.md)",
    module: __filename,
    driver,
});
