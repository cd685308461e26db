import { createHash } from "node:crypto";
import { z } from "zod";
import { FaultError } from "../core/errors";
import type { FaultOwner } from "../core/labels";
import { runInNetns } from "./helper";
import type { NetnsTarget } from "./netns";

/**
 * The handle of root qdiscs in records written before handles were per fault (they carry no `handle`): revert of
 * such a record looks for this one.
 */
export const FAULT_HANDLE = "fa17:";

/**
 * The handle of the root qdisc one fault installs. Qdiscs carry no labels, so the handle is their label: faultline's
 * are `f000:`-`ffef:`, and each fault's own is chosen from its stack and name before anything is installed. Revert
 * removes only the qdisc with exactly this handle, never a user's own nor another fault's, so reverting a fault that
 * never went in (killed before `apply`) leaves whatever another fault put there.
 */
export function faultHandle(owner: Pick<FaultOwner, "stack" | "fault">): string {
    const n = createHash("sha256").update(`${owner.stack}\0${owner.fault}`).digest().readUInt16BE(0) % 0xff0;
    return `f${n.toString(16).padStart(3, "0")}:`;
}

/** True for a handle in faultline's range (see {@link faultHandle}). */
export function isFaultlineHandle(handle: string): boolean {
    const m = /^f([0-9a-f]{3}):$/.exec(handle);
    return !!m && parseInt(m[1]!, 16) < 0xff0;
}

/** A network interface name as the kernel allows it (at most 15 characters, no slash or whitespace). */
export const InterfaceName = z
    .string()
    .regex(/^[A-Za-z0-9_.@-]{1,15}$/, "must be a network interface name inside the container, such as eth0 (see `ip link` in it)")
    .default("eth0");

/** A container whose interface got a faultline root qdisc, and the root qdisc it had before (handle 0:). */
export interface QdiscTarget extends NetnsTarget {
    /** `tc qdisc show dev <interface> root` before the fault, e.g. `qdisc noqueue 0: root refcnt 2`. */
    before: string;
}

/** A root qdisc as `tc qdisc show dev X root` prints it. */
export interface RootQdisc {
    /** Qdisc kind, e.g. `noqueue`, `tbf`. */
    kind: string;
    /** Its handle, e.g. `0:` for the kernel's default, `f3a1:` for a fault's (see faultHandle). */
    handle: string;
}

/** Parses the first line of `tc qdisc show dev X root`, e.g. `qdisc noqueue 0: root refcnt 2`. */
export function parseRootQdisc(line: string): RootQdisc | undefined {
    const m = /^qdisc (\S+) ([0-9a-f]+:)/.exec(line.trim());
    return m ? { kind: m[1]!, handle: m[2]! } : undefined;
}

// $DEV, $QDISC (validated words, split by the shell on purpose), $HANDLE and $KIND come from the environment.
const INSTALL_SCRIPT = `set -e
before=$(tc qdisc show dev "$DEV" root)
printf '%s\\n' "$before"
case "$before" in
  "qdisc "*" 0: "*) ;;
  *) exit 3 ;;
esac
tc qdisc add dev "$DEV" root handle "$HANDLE" $QDISC`;

const REMOVE_SCRIPT = `cur=$(tc qdisc show dev "$DEV" root 2>/dev/null) || { echo 0; exit 0; }
case "$cur" in
  "qdisc $KIND $HANDLE "*) tc qdisc del dev "$DEV" root; echo 1; tc qdisc show dev "$DEV" root ;;
  *) echo 0 ;;
esac`;

const SHOW_SCRIPT = `tc qdisc show dev "$DEV" root 2>/dev/null || true`;

/**
 * Installs `qdisc` (e.g. `tbf rate 1mbit burst 32kbit latency 400ms`) as the root qdisc of `dev` in the target's
 * namespace and returns the root qdisc it replaced. Only the kernel's default root qdisc (handle 0:) is replaced:
 * a root qdisc someone configured has classes and filters that a revert could not rebuild exactly.
 */
export async function installRootQdisc(
    t: NetnsTarget,
    dev: string,
    qdisc: string[],
    handle: string,
    labels: Record<string, string>,
): Promise<string> {
    try {
        const r = await runInNetns(t.id, INSTALL_SCRIPT, {
            labels,
            env: { DEV: dev, QDISC: qdisc.join(" "), HANDLE: handle },
            field: "spec",
            what: `tc on interface ${dev} of "${t.name}"`,
        });
        return r.stdout.trim().split("\n")[0] ?? "";
    } catch (err) {
        const text = String(err);
        if (/Cannot find device/.test(text)) throw noDevice(t, dev);
        const exit3 = /failed \(exit 3\): (.*)$/.exec(text);
        if (exit3) throw occupied(t, dev, exit3[1]!);
        throw err;
    }
}

function noDevice(t: NetnsTarget, dev: string): FaultError {
    return new FaultError("spec.interface", `container "${t.name}" has no interface "${dev}"; list them with \`docker exec ${t.name} ip link\` (most have eth0)`);
}

/** The error for an interface whose root qdisc (`line`) is not the kernel's default. */
function occupied(t: NetnsTarget, dev: string, line: string): FaultError {
    if (isFaultlineHandle(parseRootQdisc(line)?.handle ?? "")) {
        return new FaultError("spec.interface", `interface ${dev} of "${t.name}" already carries another faultline fault (${line}); revert that one first`);
    }
    return new FaultError(
        "spec.interface",
        `interface ${dev} of "${t.name}" already has a configured root qdisc (${line}); faultline only replaces ` +
            "the kernel's default one, so that revert restores it exactly. Remove it first or pick another interface",
    );
}

/**
 * Reads the root qdisc of `dev` on every target, changing nothing (a driver's `prepare`), and returns each line.
 * Throws the error `installRootQdisc` would when an interface is missing or its root qdisc is not the kernel's
 * default, so such a fault is refused before its reaper is armed.
 */
export async function checkRootQdiscs(targets: NetnsTarget[], dev: string, labels: Record<string, string>): Promise<string[]> {
    return Promise.all(
        targets.map(async (t) => {
            const line = await showRootQdisc(t, dev, labels);
            if (!line) throw noDevice(t, dev);
            if (parseRootQdisc(line)?.handle !== "0:") throw occupied(t, dev, line);
            return line;
        }),
    );
}

/**
 * Removes the fault's root qdisc (kind `kind`, handle `handle`) from `dev`, which brings back the kernel's default.
 * Returns false when it is not there (already reverted, or never installed), and the root qdisc now in place when
 * it removed it.
 */
export async function removeRootQdisc(
    t: NetnsTarget,
    dev: string,
    kind: string,
    handle: string,
    labels: Record<string, string>,
): Promise<{ removed: false } | { removed: true; now: string }> {
    const r = await runInNetns(t.id, REMOVE_SCRIPT, {
        labels,
        env: { DEV: dev, KIND: kind, HANDLE: handle },
        field: "record",
        what: `removing the ${kind} qdisc from ${dev} of "${t.name}"`,
    });
    const [flag, now] = r.stdout.trim().split("\n");
    return flag === "1" ? { removed: true, now: now ?? "" } : { removed: false };
}

/** The root qdisc of `dev` right now (empty when there is no such interface). */
export async function showRootQdisc(t: NetnsTarget, dev: string, labels: Record<string, string>): Promise<string> {
    const r = await runInNetns(t.id, SHOW_SCRIPT, { labels, env: { DEV: dev }, field: "record", what: `tc on ${dev} of "${t.name}"` });
    return r.stdout.trim().split("\n")[0] ?? "";
}

/** True when `line` is the root qdisc of `kind` with the fault's `handle`. */
export function isFaultQdisc(line: string, kind: string, handle: string): boolean {
    const q = parseRootQdisc(line);
    return q?.kind === kind && q.handle === handle;
}
