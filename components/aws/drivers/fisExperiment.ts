import { randomUUID } from "node:crypto";
import pRetry from "p-retry";
import { z } from "zod";
import type { FaultDriver, Observation, RevertOutcome } from "../../core/driver";
import { formatDuration } from "../../../spec/units";
import { FaultError } from "../../core/errors";
import { ownerLabels } from "../../core/labels";
import { parseIsoDuration } from "../../../spec/units";

// The AWS SDK is imported inside the functions that use it, never at load time: this module is listed in the
// driver registry, which Docker reapers bundle and load, and they never talk to AWS.
type FisModule = typeof import("@aws-sdk/client-fis");
type FisClient = import("@aws-sdk/client-fis").FisClient;

/**
 * Spec of one run of a FIS experiment template. Durations are plain milliseconds here: the provider validates the
 * spec again at every preview, so it must parse its own output unchanged. The component takes "5m" and converts.
 */
export const FisExperimentSpec = z
    .object({
        /** The experiment template to start (e.g. "EXT1a2b3c4d5e6f7"). */
        templateId: z.string({ error: "required: the id of the FIS experiment template to start" }).min(1, "must not be empty"),
        /** AWS region of the template. Defaults to the SDK's (AWS_REGION, the profile). */
        region: z.string().min(1).optional(),
        /** The fault's time-to-live: starting refuses a template whose actions could run longer. */
        ttlMs: z.number().int().positive(),
        /** Wait until the experiment is running before `up` completes. Defaults to true. */
        waitForRunning: z.boolean().default(true),
        /** How long to wait for `running` before stopping the experiment and failing. Defaults to 5 minutes. */
        startTimeoutMs: z.number().int().positive().default(300_000),
        /** How long `destroy` waits for the stopped experiment to reach a final state. Defaults to 10 minutes. */
        stopTimeoutMs: z.number().int().positive().default(600_000),
        /** Time between two GetExperiment calls while waiting. Defaults to 5 seconds. */
        pollMs: z.number().int().positive().default(5_000),
    })
    .strict();
export type FisExperimentSpec = z.infer<typeof FisExperimentSpec>;

/** What is needed to stop a run: the experiment, where it is, and how long to wait. */
export interface FisExperimentRecord {
    /** The experiment, once `apply` started it. Without it, revert finds the experiment by `runTag`, if any. */
    experimentId?: string;
    templateId: string;
    region?: string;
    /** When `apply` started it. */
    startedAt?: string;
    stopTimeoutMs: number;
    pollMs: number;
    /**
     * Chosen in `prepare` (records written since): the StartExperiment idempotency token, also the value of the
     * experiment's {@link RUN_TAG} tag, by which a revert finds an experiment whose start `apply` never saw answered.
     */
    runTag?: string;
    /** How `apply` starts it (records written by `prepare`). */
    start?: { waitForRunning: boolean; startTimeoutMs: number };
}

/** The tag that names one run of a fault on its FIS experiment (besides the owner's labels). */
export const RUN_TAG = "dev.faultline.run";

/** FIS experiment states that never change again. */
const TERMINAL = new Set(["completed", "stopped", "failed", "cancelled"]);
/** States in which the experiment's faults may be in effect. */
const ACTIVE = new Set(["pending", "initiating", "running", "stopping"]);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function errName(err: unknown): string {
    return typeof err === "object" && err !== null ? String((err as { name?: unknown }).name ?? "") : "";
}

/** AWS throttling, however the service spells it. */
export function isThrottling(err: unknown): boolean {
    const e = err as { $retryable?: { throttling?: boolean } } | undefined;
    return /^(ThrottlingException|Throttling|TooManyRequestsException|RequestLimitExceeded|ThrottledException)$/.test(errName(err)) || e?.$retryable?.throttling === true;
}

/**
 * Calls AWS, retrying throttling with exponential backoff (from `baseMs`, doubling, at most 20 s apart) until
 * `deadline`: on top of the SDK's own adaptive retries (see {@link fisClient}), because a stop must keep trying until
 * its timeout. Any other error is thrown at once: retrying an AccessDenied only hides it.
 */
async function withBackoff<T>(what: string, fn: () => Promise<T>, baseMs: number, deadline: number): Promise<T> {
    let attempts = 0;
    try {
        return await pRetry(() => (attempts++, fn()), {
            retries: Number.POSITIVE_INFINITY,
            minTimeout: baseMs,
            maxTimeout: 20_000,
            maxRetryTime: Math.max(0, deadline - Date.now()),
            shouldRetry: ({ error }) => isThrottling(error),
        });
    } catch (err) {
        throw isThrottling(err) ? new Error(`${what}: still throttled by AWS after ${attempts} attempts: ${String(err)}`) : err;
    }
}

/**
 * The FIS client, with the SDK's adaptive retry mode: it retries throttling and transient errors itself, and slows
 * its own request rate when AWS throttles (a client-side token bucket), which our backoff alone cannot.
 */
async function fisClient(region: string | undefined): Promise<{ fis: FisClient; sdk: FisModule }> {
    const sdk = await import("@aws-sdk/client-fis");
    return { fis: new sdk.FisClient({ ...(region ? { region } : {}), retryMode: "adaptive", maxAttempts: 3 }), sdk };
}

async function getState(fis: FisClient, sdk: FisModule, id: string, baseMs: number, deadline: number) {
    const out = await withBackoff(`GetExperiment ${id}`, () => fis.send(new sdk.GetExperimentCommand({ id })), baseMs, deadline);
    return { status: out.experiment?.state?.status ?? "unknown", reason: out.experiment?.state?.reason ?? "" };
}

/**
 * Polls the experiment until `done(status)`, or throws when it reaches a terminal state that is not `done`, or
 * at `deadline` (`timeoutMs` after the operation began). Pulumi ignores customTimeouts for dynamic providers, hence this bound.
 */
async function waitFor(
    fis: FisClient,
    sdk: FisModule,
    id: string,
    done: (status: string) => boolean,
    deadline: number,
    pollMs: number,
    goal: string,
    timeoutMs: number,
): Promise<string> {
    for (;;) {
        const s = await getState(fis, sdk, id, Math.min(pollMs, 1000), deadline);
        if (done(s.status)) return s.status;
        if (TERMINAL.has(s.status)) throw new Error(`FIS experiment ${id} is ${s.status}${s.reason ? `: ${s.reason}` : ""}; it never became ${goal}`);
        if (Date.now() + pollMs > deadline) throw new Error(`FIS experiment ${id} is still ${s.status} after ${formatDuration(timeoutMs)}; it did not become ${goal} in time`);
        await sleep(pollMs);
    }
}

/** The longest duration among a template's actions (`duration`, `startInstancesAfterDuration`), in ms. */
export function longestAction(actions: Record<string, { parameters?: Record<string, string> }> | undefined): number {
    let longest = 0;
    for (const a of Object.values(actions ?? {})) {
        for (const key of ["duration", "startInstancesAfterDuration", "maxDuration"]) {
            const v = a.parameters?.[key];
            const ms = v === undefined ? undefined : parseIsoDuration(v);
            if (ms !== undefined && ms > longest) longest = ms;
        }
    }
    return longest;
}

/** The experiment of a run whose start `apply` never saw answered, found by its run tag; undefined if none. */
async function findRun(fis: FisClient, sdk: FisModule, record: FisExperimentRecord): Promise<string | undefined> {
    if (!record.runTag) return undefined;
    let nextToken: string | undefined;
    do {
        const page = await fis.send(new sdk.ListExperimentsCommand(nextToken ? { nextToken } : {}));
        const hit = page.experiments?.find((e) => e.tags?.[RUN_TAG] === record.runTag);
        if (hit?.id) return hit.id;
        nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
}

async function stop(record: FisExperimentRecord): Promise<RevertOutcome> {
    const { fis, sdk } = await fisClient(record.region);
    const id = record.experimentId ?? (await findRun(fis, sdk, record));
    // Never started (apply did not run, or its start never reached FIS): nothing to stop.
    if (!id) return "already-reverted";
    const deadline = Date.now() + record.stopTimeoutMs;
    const base = Math.min(record.pollMs, 1000);
    let state: { status: string; reason: string };
    try {
        state = await getState(fis, sdk, id, base, deadline);
    } catch (err) {
        if (errName(err) === "ResourceNotFoundException") return "target-gone";
        throw new Error(`could not read FIS experiment ${id} to stop it: ${String(err)}; stop it by hand: aws fis stop-experiment --id ${id}`);
    }
    if (TERMINAL.has(state.status)) return "already-reverted";
    // A stop already under way (ours, interrupted; or someone else's) is only waited for.
    if (state.status !== "stopping") {
        try {
            await withBackoff(`StopExperiment ${id}`, () => fis.send(new sdk.StopExperimentCommand({ id })), base, deadline);
        } catch (err) {
            if (errName(err) === "ResourceNotFoundException") return "target-gone";
            // FIS refuses to stop an experiment that ended meanwhile: that is a rollback already done.
            if (errName(err) === "ConflictException" || errName(err) === "ValidationException") {
                const again = await getState(fis, sdk, id, base, deadline);
                if (TERMINAL.has(again.status)) return "already-reverted";
            }
            throw new Error(`could not stop FIS experiment ${id}: ${String(err)}; stop it by hand: aws fis stop-experiment --id ${id}`);
        }
    }
    try {
        await waitFor(fis, sdk, id, (s) => TERMINAL.has(s), deadline, record.pollMs, "stopped", record.stopTimeoutMs);
    } catch (err) {
        throw new Error(`asked FIS to stop experiment ${id}, but could not see it end: ${err instanceof Error ? err.message : String(err)}; run destroy again, or check: aws fis get-experiment --id ${id}`);
    }
    return "reverted";
}

/**
 * One run of a FIS experiment template. Prepare checks the template and picks the run's token; apply starts it (and
 * waits until it runs); revert stops it and waits for a final state. Its time-to-live is the duration of the
 * template's actions: FIS ends them itself, so no reaper is armed for target "aws", and prepare refuses a template
 * whose actions outlast the fault's ttl.
 */
export const driver: FaultDriver<FisExperimentSpec, FisExperimentRecord> = {
    kind: "aws:fis-experiment-run",
    target: "aws",
    schema: FisExperimentSpec,

    describe: (spec) => `start FIS experiment template ${spec.templateId}${spec.region ? ` in ${spec.region}` : ""}; destroy stops it`,

    async prepare(spec) {
        const { fis, sdk } = await fisClient(spec.region);
        const tpl = await withBackoff(
            `GetExperimentTemplate ${spec.templateId}`,
            () => fis.send(new sdk.GetExperimentTemplateCommand({ id: spec.templateId })),
            Math.min(spec.pollMs, 1000),
            Date.now() + spec.startTimeoutMs,
        ).catch((err: unknown) => {
            if (errName(err) === "ResourceNotFoundException") throw new FaultError("spec.templateId", `no FIS experiment template "${spec.templateId}"; list them with \`aws fis list-experiment-templates\``);
            throw err;
        });
        const longest = longestAction(tpl.experimentTemplate?.actions as Record<string, { parameters?: Record<string, string> }> | undefined);
        if (longest > spec.ttlMs) {
            throw new FaultError(
                "spec.templateId",
                `template ${spec.templateId} has an action that lasts ${formatDuration(longest)}, longer than the ttl (${formatDuration(spec.ttlMs)}); shorten the action or raise ttl`,
            );
        }
        return {
            templateId: spec.templateId,
            ...(spec.region ? { region: spec.region } : {}),
            stopTimeoutMs: spec.stopTimeoutMs,
            pollMs: spec.pollMs,
            // One token per run: a retried (throttled) call cannot start a second experiment, and revert finds it.
            runTag: randomUUID(),
            start: { waitForRunning: spec.waitForRunning, startTimeoutMs: spec.startTimeoutMs },
        };
    },

    async apply(record, ctx) {
        const { fis, sdk } = await fisClient(record.region);
        const { waitForRunning, startTimeoutMs } = record.start!;
        const tags = { ...ownerLabels(ctx.owner), [RUN_TAG]: record.runTag! };
        const started = await withBackoff(
            `StartExperiment ${record.templateId}`,
            () => fis.send(new sdk.StartExperimentCommand({ experimentTemplateId: record.templateId, clientToken: record.runTag, tags })),
            Math.min(record.pollMs, 1000),
            Date.now() + startTimeoutMs,
        );
        const experimentId = started.experiment?.id;
        if (!experimentId) throw new Error(`FIS started template ${record.templateId} but returned no experiment id`);
        // Set before waiting: if it never runs, the caller's revert stops exactly this experiment.
        Object.assign(record, { experimentId, startedAt: new Date().toISOString() });
        ctx.info(`started FIS experiment ${experimentId} from template ${record.templateId}`);
        if (waitForRunning) {
            await waitFor(fis, sdk, experimentId, (s) => s === "running" || s === "completed", Date.now() + startTimeoutMs, record.pollMs, "running", startTimeoutMs);
        }
    },

    async revert(record, ctx) {
        const outcome = await stop(record);
        if (outcome === "target-gone") ctx.warn(`FIS experiment ${record.experimentId} no longer exists; nothing to stop`);
        return outcome;
    },

    async observe(record): Promise<Observation> {
        const { fis, sdk } = await fisClient(record.region);
        if (!record.experimentId) return { active: false, detail: `no FIS experiment was started from template ${record.templateId}` };
        try {
            const s = await getState(fis, sdk, record.experimentId, 1000, Date.now() + 60_000);
            return { active: ACTIVE.has(s.status), detail: `FIS experiment ${record.experimentId} is ${s.status}${s.reason ? `: ${s.reason}` : ""}` };
        } catch (err) {
            if (errName(err) === "ResourceNotFoundException") return { active: false, detail: `FIS experiment ${record.experimentId} no longer exists` };
            throw err;
        }
    },
};
