// The halt lever: one labelled Docker volume on the engine the faults run on. While it exists, no fault goes in:
// the dynamic provider's create refuses (so a user's own `pulumi up` refuses too), and so do `faultline run` and
// `plan`. It lives with the engine, not with a checkout, so every checkout, backend and user of the engine sees it.
// Kept small and free of @pulumi/pulumi: the provider loads it by path (FaultResource.ts) inside its own process.
import * as os from "node:os";
import { dockerClient, isNotFound } from "./docker";

/** The label that marks the lever volume (its value is always "true"). */
export const HALT_LABEL = "dev.faultline.halt";
/** Labels of the lever: who pulled it, when (ISO 8601) and why. */
export const HaltLabels = {
    by: `${HALT_LABEL}.by`,
    at: `${HALT_LABEL}.at`,
    reason: `${HALT_LABEL}.reason`,
} as const;

/** The lever's volume name. FAULTLINE_HALT_LEVER overrides it (tests on a shared engine use a lever of their own). */
export function haltLeverName(env: NodeJS.ProcessEnv = process.env): string {
    return env.FAULTLINE_HALT_LEVER || "faultline-halt";
}

/** An engaged lever: who pulled it, when and why. */
export interface HaltLever {
    /** The volume that is the lever. */
    name: string;
    by: string;
    at: string;
    reason: string;
}

/** Thrown where a fault would go in while the lever is engaged. */
export class HaltedError extends Error {
    override name = "HaltedError";
    constructor(readonly lever: HaltLever) {
        super(
            `faultline is halted on this Docker engine: pulled by ${lever.by} at ${lever.at}${lever.reason ? ` (${lever.reason})` : ""}; ` +
                "nothing was injected. Release it with `faultline halt --release` when chaos may resume",
        );
    }
}

/** True for the errors of a Docker engine that is not there at all (no socket, nothing listening). */
function noEngine(err: unknown): boolean {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    return code === "ENOENT" || code === "ECONNREFUSED";
}

/**
 * The engaged lever, or undefined when chaos may run. A machine without a Docker engine has no lever (its faults,
 * Kubernetes or AWS ones, are not stopped by it); any other error reaching the engine is thrown, never read as
 * "not halted".
 */
export async function readHalt(name = haltLeverName()): Promise<HaltLever | undefined> {
    try {
        const v = await dockerClient().getVolume(name).inspect();
        const labels = v.Labels ?? {};
        if (labels[HALT_LABEL] !== "true") return undefined;
        return { name, by: labels[HaltLabels.by] ?? "unknown", at: labels[HaltLabels.at] ?? "unknown", reason: labels[HaltLabels.reason] ?? "" };
    } catch (err) {
        if (isNotFound(err) || noEngine(err)) return undefined;
        throw err;
    }
}

/** Throws {@link HaltedError} when the lever is engaged. Called by the provider's create before anything is touched. */
export async function refuseIfHalted(): Promise<void> {
    const lever = await readHalt();
    if (lever) throw new HaltedError(lever);
}

/** Who is pulling the lever, as it is recorded: user@host. */
export function whoAmI(): string {
    let user = process.env.USER || "";
    try {
        user ||= os.userInfo().username;
    } catch {
        user ||= "unknown";
    }
    return `${user}@${os.hostname()}`;
}

/**
 * Engages the lever. Idempotent: a lever already engaged keeps who pulled it first and when. Returns the lever as
 * it is now and whether this call engaged it.
 */
export async function engageHalt(opts: { by?: string; reason?: string; name?: string } = {}): Promise<{ lever: HaltLever; engaged: boolean }> {
    const name = opts.name ?? haltLeverName();
    const existing = await readHalt(name);
    if (existing) return { lever: existing, engaged: false };
    const lever: HaltLever = { name, by: opts.by ?? whoAmI(), at: new Date().toISOString(), reason: opts.reason ?? "" };
    await dockerClient().createVolume({
        Name: name,
        Labels: { [HALT_LABEL]: "true", [HaltLabels.by]: lever.by, [HaltLabels.at]: lever.at, [HaltLabels.reason]: lever.reason },
    });
    // Two pulls at once: the engine keeps the first volume's labels, so what is read back is what everyone sees.
    return { lever: (await readHalt(name)) ?? lever, engaged: true };
}

/** Releases the lever; returns the lever that was released (undefined when none was engaged). */
export async function releaseHalt(name = haltLeverName()): Promise<HaltLever | undefined> {
    const lever = await readHalt(name);
    try {
        await dockerClient().getVolume(name).remove();
    } catch (err) {
        if (!isNotFound(err)) throw err;
    }
    return lever;
}
