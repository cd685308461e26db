// The one sequence that puts a fault in and takes it out, shared by the dynamic provider (FaultResource.ts: `create`
// and `delete`) and by `withFault` (testing/), so a fault injected from a user's test suite goes through exactly the
// checks, the reaper and the two phases that `pulumi up` uses.
//
// Free of @pulumi/pulumi: the provider loads this module by path inside its own process (like the drivers), and
// testing/ uses it without Pulumi at all.
import type { DriverContext, FaultDriver, PlannedTarget, RevertOutcome } from "./driver";
import type { ReaperHost } from "./FaultResource";
import { refuseIfHalted } from "./halt";
import type { FaultOwner } from "./labels";
import { targetIssues } from "./optIn";
import type { SpecIssue } from "./errors";
import { reaper as dockerReaper } from "../docker/reaper";

/**
 * The reaper host of each target that needs one (Chaos Mesh and FIS carry their own time limits), for callers in
 * the user's own process (withFault). Imported, not resolved by path as the provider's REAPER_MODULES are: test
 * runners that transform TypeScript themselves (vitest, jest) load imports, not `require` of a .ts path.
 */
export const REAPER_HOSTS: Partial<Record<FaultDriver["target"], ReaperHost>> = { docker: dockerReaper };

/** What {@link injectFault} needs: the driver, its reaper host and the already-validated fault. */
export interface InjectRequest {
    driver: FaultDriver;
    /** The reaper host of the driver's target; undefined for targets that carry their own time limit. */
    reaper: ReaperHost | undefined;
    kind: string;
    /** The spec, already parsed by `driver.schema`. */
    spec: unknown;
    owner: FaultOwner;
    /** Time-to-live in milliseconds: the reaper reverts the fault this long after injection. */
    ttlMs: number;
    /** Where the driver's warnings and notes go. */
    report: Pick<DriverContext, "warn" | "info">;
}

/** A fault that is in: its id (reapers are found by it), its revert record, and when it went in and expires. */
export interface Injection {
    id: string;
    record: unknown;
    /**
     * Epoch milliseconds: when `apply` began. Not when the sequence began: arming the reaper comes first and can take
     * a second or two (it may start a container), and the target's service cannot react to a fault before it is
     * applied, so a deadline such as "falls back within 1s" counts from here.
     */
    injectedAt: number;
    /** Epoch milliseconds: when the reaper reverts it. */
    expiresAt: number;
    /** What the fault hit, as the driver's `plan` resolved it right before injection (absent if it has none). */
    targets?: PlannedTarget[];
}

/**
 * Resolves what a fault will hit (the driver's `plan`) and, for Docker faults, applies the provider's own target
 * checks (core/optIn.ts): no faultline reaper or helper, and the opt-in label unless the owner opted out (then a
 * warning per unlabelled target).
 */
export async function screenTargets(
    driver: FaultDriver,
    spec: unknown,
    owner: FaultOwner,
    warn: (message: string) => void,
): Promise<{ targets: PlannedTarget[] | undefined; issues: SpecIssue[] }> {
    const targets = driver.plan ? await driver.plan(spec) : undefined;
    if (driver.target !== "docker" || !targets) return { targets, issues: [] };
    const verdict = targetIssues(targets, owner);
    for (const w of verdict.warnings) warn(w);
    return { targets, issues: verdict.issues };
}

/**
 * Injects one fault: refuses while the halt lever is engaged and when a target is refused (see
 * {@link screenTargets}), then `prepare` → the reaper armed with the record → `apply`. Every driver is two-phase,
 * so a kill -9 at any point leaves either nothing to undo or a reaper that undoes it (every revert is a no-op on a
 * fault that never went in, and undoes a half-applied one). If `apply` fails, what was applied is reverted at once.
 */
export async function injectFault(r: InjectRequest): Promise<Injection> {
    // The halt lever (faultline halt) refuses every injection: the provider's, the runner's and a test's.
    await refuseIfHalted();
    const { driver, reaper, owner } = r;
    const screened = await screenTargets(driver, r.spec, owner, r.report.warn);
    if (screened.issues.length > 0) {
        throw new Error(`fault "${owner.fault}" was not injected: ${screened.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    }
    // The time-to-live counts from the start of the sequence, so the reaper's deadline is never later than promised.
    const startedAt = Date.now();
    const id = `${r.kind}/${owner.stack}/${owner.fault}/${startedAt.toString(36)}`;
    const expiresAt = startedAt + r.ttlMs;
    const ctx: DriverContext = { owner, ...r.report, expiresAt };
    const record = await driver.prepare(r.spec, ctx);
    if (reaper) {
        const networkMode = driver.reaperNetworkMode?.(record);
        try {
            await reaper.arm({ id, kind: r.kind, record, owner, expiresAt, ...(networkMode ? { networkMode } : {}) });
        } catch (err) {
            throw new Error(`could not arm the time-to-live reaper, so the fault was not injected: ${String(err)}`);
        }
    }
    const injectedAt = Date.now();
    try {
        await driver.apply(record, ctx);
    } catch (err) {
        await driver.revert(record, ctx);
        await reaper?.disarm(id, owner);
        throw err;
    }
    return { id, record, injectedAt, expiresAt, ...(screened.targets ? { targets: screened.targets } : {}) };
}

/**
 * Reverts one fault and disarms its reaper, in that order: if the revert fails, the reaper is still there to try
 * again at its deadline.
 */
export async function revertFault(
    driver: FaultDriver,
    reaper: ReaperHost | undefined,
    id: string,
    record: unknown,
    ctx: DriverContext,
): Promise<RevertOutcome> {
    const outcome = await driver.revert(record, ctx);
    await reaper?.disarm(id, ctx.owner);
    return outcome;
}
