// withFault: one fault around a block of a user's own test, with no Pulumi stack. It goes through the same sequence
// as the provider (components/core/lifecycle.ts: halt lever, target screen, prepare → reaper armed → apply), so a
// test runner killed mid-test leaves a reaper that reverts the fault at its TTL; the block's end reverts it at once.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { DriverContext, FaultDriver, Observation, PlannedTarget, RevertOutcome } from "../components/core/driver";
import type { ReaperHost } from "../components/core/FaultResource";
import { SpecError, toSpecIssues, type SpecIssue } from "../components/core/errors";
import { STANDBY_KIND, type FaultOwner } from "../components/core/labels";
import { injectFault, REAPER_HOSTS, revertFault } from "../components/core/lifecycle";
import { drivers } from "../components/registry";
import { FaultEntryBase } from "../spec/experiment";
import { LongDuration } from "../spec/fields";

/** A fault as a test writes it: its kind, its time-to-live and the kind's own fields (e.g. `target`). */
export interface FaultInput {
    /** The fault kind, e.g. `docker:container-pause` (the README's fault table lists them). */
    kind: string;
    /**
     * Time-to-live: the reaper reverts the fault this long after injection if the test never gets to revert it
     * (a killed test runner). "30s", "5m", or milliseconds (at least 1s). Keep it a little over the block's length.
     */
    ttl: string | number;
    /** The fault's name in its labels. Defaults to the kind's short name plus a random suffix. */
    name?: string;
    /**
     * Opts out of the opt-in label (`chaos.opt-in=true`) for this fault: unlabelled targets are warned about instead
     * of refused. Defaults to false.
     */
    allowUnlabelledTargets?: boolean;
    /** The kind's own fields, validated by its schema. */
    [field: string]: unknown;
}

/** Options of {@link withFault}. */
export interface WithFaultOptions {
    /**
     * Whose fault it is, as every label it leaves says. Defaults: project `faultline`, stack `testing`, experiment
     * `withFault`. One reaper serves a stack, so tests that share the stack share its reaper (only the first pays
     * for starting it).
     */
    owner?: Partial<Pick<FaultOwner, "project" | "stack" | "experiment">>;
    /** Where the driver's warnings and notes go. Defaults to stderr for warnings, nowhere for notes. */
    log?: (level: "info" | "warn", message: string) => void;
    /**
     * How long the stack's reaper stands by after a fault of the stack went in ("30s", "2m", or milliseconds), so the
     * next fault of the suite finds it running and arming costs a volume create, not a container start (about half a
     * second). It retires this long after the suite's last fault. `false`: retire with each fault's revert. Defaults
     * to "30s".
     */
    standby?: string | number | false;
}

/** The fault inside the block: what was hit, and a look at the target. */
export interface InjectedFault {
    kind: string;
    name: string;
    /** The id its reaper knows it by. */
    id: string;
    /** The driver's revert record: plain JSON, everything needed to undo the fault. */
    record: unknown;
    /** What the fault hit (the driver's plan, resolved right before injection); [] when the kind plans none. */
    targets: PlannedTarget[];
    /** When the driver's apply began (after the reaper was armed). */
    injectedAt: Date;
    /** When the reaper reverts it if the block has not ended by then. */
    expiresAt: Date;
    /** The driver's observe: whether the fault is in effect on the target right now. */
    observe(): Promise<Observation>;
}

/** A fault ready to go in: its driver, parsed spec, time-to-live and owner. */
export interface ParsedFault {
    driver: FaultDriver;
    spec: unknown;
    ttlMs: number;
    owner: FaultOwner;
}

/** The fields withFault adds to a kind's own spec. */
const FaultFields = z
    .object({ kind: z.string(), ttl: LongDuration, name: FaultEntryBase.shape.name.optional(), allowUnlabelledTargets: z.boolean().optional() })
    .strict();

/**
 * Validates `input` with its kind's own schema (from the registry) and the common fields, collecting every issue at
 * once. Throws {@link SpecError} naming each field and its fix.
 */
export function parseFault(input: FaultInput, opts: WithFaultOptions = {}): ParsedFault {
    const { kind, ttl, name, allowUnlabelledTargets, ...fields } = input;
    const driver = typeof kind === "string" ? drivers[kind] : undefined;
    if (!driver) {
        throw new SpecError("fault", [{ path: "kind", message: `unknown fault kind ${JSON.stringify(kind)}; use one of: ${Object.keys(drivers).join(", ")}` }]);
    }
    const issues: SpecIssue[] = [];
    const common = FaultFields.safeParse({ kind, ttl, name, allowUnlabelledTargets });
    if (!common.success) issues.push(...toSpecIssues(common.error.issues));
    const spec = driver.schema.safeParse(fields);
    if (!spec.success) issues.push(...toSpecIssues(spec.error.issues));
    if (!common.success || !spec.success) throw new SpecError(`${kind} fault`, issues);
    const short = kind.slice(kind.indexOf(":") + 1);
    const owner: FaultOwner = {
        project: opts.owner?.project ?? "faultline",
        stack: opts.owner?.stack ?? "testing",
        experiment: opts.owner?.experiment ?? "withFault",
        fault: common.data.name ?? `${short}-${randomBytes(3).toString("hex")}`,
        kind,
        ...(common.data.allowUnlabelledTargets === true ? { allowUnlabelledTargets: true as const } : {}),
    };
    return { driver, spec: spec.data, ttlMs: common.data.ttl, owner };
}

/** How long the reaper stands by (see {@link WithFaultOptions.standby}), in milliseconds; 0 for not at all. */
function standbyMs(opts: WithFaultOptions): number {
    if (opts.standby === false) return 0;
    const r = LongDuration.safeParse(opts.standby ?? "30s");
    if (!r.success) throw new SpecError("withFault options", toSpecIssues(r.error.issues, "standby"));
    return r.data;
}

/** When this process last armed each stack's standby, and until when it holds (epoch ms), by reaper id. */
const standbyUntil = new Map<string, number>();

/**
 * Keeps the stack's reaper standing by (an experiment stack's standby record, ExperimentMetadata's kind), so the
 * reaper that is running now stays for the suite's next fault. Re-armed only when less than half of it is left, so
 * most faults of a suite pay nothing for it.
 */
async function standBy(reaper: ReaperHost, owner: FaultOwner, ms: number): Promise<void> {
    const id = `standby/${owner.project}/${owner.stack}/withFault`;
    if ((standbyUntil.get(id) ?? 0) - Date.now() > ms / 2) return;
    const standby: FaultOwner = { project: owner.project, stack: owner.stack, experiment: owner.experiment, fault: "", kind: STANDBY_KIND };
    const expiresAt = Date.now() + ms;
    await reaper.arm({ id, kind: STANDBY_KIND, record: null, owner: standby, expiresAt });
    standbyUntil.set(id, expiresAt);
}

/** The driver context of a fault of the user's test: warnings to `log` (stderr by default). */
function testContext(owner: FaultOwner, opts: WithFaultOptions): Pick<DriverContext, "warn" | "info"> {
    const log = opts.log ?? ((level, m) => level === "warn" && process.stderr.write(`faultline: warning: ${m}\n`));
    return { warn: (m) => log("warn", `${owner.fault}: ${m}`), info: (m) => log("info", `${owner.fault}: ${m}`) };
}

/**
 * Injects an already-parsed fault and returns it with the function that reverts it (and disarms its reaper). For
 * callers that hold a fault across steps of their own (withExperiment); tests use {@link withFault}.
 */
export async function startFault(f: ParsedFault, opts: WithFaultOptions = {}): Promise<{ fault: InjectedFault; revert: () => Promise<RevertOutcome> }> {
    const { driver, owner } = f;
    const report = testContext(owner, opts);
    const reaper = REAPER_HOSTS[driver.target];
    const standby = standbyMs(opts);
    const inj = await injectFault({ driver, reaper, kind: driver.kind, spec: f.spec, owner, ttlMs: f.ttlMs, report });
    // After the fault is in, so its time-to-observable does not pay for it; a failure costs only the next start.
    if (reaper && standby > 0) await standBy(reaper, owner, standby).catch((err: unknown) => report.warn(`the reaper's standby was not armed: ${String(err)}`));
    const fault: InjectedFault = {
        kind: driver.kind,
        name: owner.fault,
        id: inj.id,
        record: inj.record,
        targets: inj.targets ?? [],
        injectedAt: new Date(inj.injectedAt),
        expiresAt: new Date(inj.expiresAt),
        observe: () => driver.observe(inj.record),
    };
    return { fault, revert: () => revertFault(driver, reaper, inj.id, inj.record, { owner, ...report }) };
}

/**
 * Runs `fn` with a fault in, and reverts the fault when `fn` ends, however it ends:
 *
 * ```ts
 * await withFault({ kind: "docker:container-pause", target: { name: "broker" }, ttl: "30s" }, async (fault) => {
 *     assert.equal((await fault.observe()).active, true);
 *     // ... the code under test, against a frozen broker
 * });
 * ```
 *
 * The spec is validated by the kind's own schema; the halt lever and the provider's target checks (opt-in label,
 * never faultline's own containers) refuse it like any injection. A reaper on the target's engine is armed before
 * the fault goes in, so if the test process dies the fault is reverted at its TTL. Returns what `fn` returns; if the
 * revert fails, that error is thrown (after `fn`'s own error, if any, as its cause), and the reaper stays armed.
 */
export async function withFault<T>(input: FaultInput, fn: (fault: InjectedFault) => Promise<T> | T, opts: WithFaultOptions = {}): Promise<T> {
    const { fault, revert } = await startFault(parseFault(input, opts), opts);
    let result: T;
    try {
        result = await fn(fault);
    } catch (err) {
        await revert().catch((revertErr: unknown) => {
            throw new Error(`${String(err)}; and the revert of fault "${fault.name}" failed, its reaper reverts it at ${fault.expiresAt.toISOString()}: ${String(revertErr)}`, { cause: err });
        });
        throw err;
    }
    await revert();
    return result;
}
