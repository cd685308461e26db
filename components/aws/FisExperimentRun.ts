import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { FaultResource } from "../core/FaultResource";
import { driver } from "./drivers/fisExperiment";
import { FisRunOptions } from "./fisSpec";

/** Spec of {@link FisExperimentRun} as written by users; converted to the driver's spec (milliseconds). */
export const FisExperimentRunSpec = z
    .object({
        /** The template to start: an id, or a FisExperimentTemplate's `templateId` output. */
        templateId: z.custom<pulumi.Input<string>>((v) => (typeof v === "string" && v.length > 0) || pulumi.Output.isInstance(v) || v instanceof Promise, {
            message: "required: the id of a FIS experiment template (a string or a FisExperimentTemplate's templateId)",
        }),
    })
    // The run's options are the registry's (./fisSpec.ts); only the template, which may be an Output, is added here.
    .extend(FisRunOptions.shape)
    .strict();

/** Arguments of {@link FisExperimentRun}. */
export interface FisExperimentRunArgs extends FaultOptions {
    /** Template id, or a FisExperimentTemplate's `templateId`. */
    templateId: pulumi.Input<string>;
    /** Region of the template. */
    region?: string;
    /** Wait for `running` during `up`. Defaults to true. */
    waitForRunning?: boolean;
    /** Bound on the wait for `running`. Defaults to "5m". */
    startTimeout?: string | number;
    /** Bound on the wait for the end after a stop. Defaults to "10m". */
    stopTimeout?: string | number;
    /** Poll interval. Defaults to "5s". */
    pollInterval?: string | number;
}

/**
 * One run of a FIS experiment: `pulumi up` starts the template (and, by default, waits until the experiment is
 * running); `pulumi destroy` stops it and waits until FIS reports a final state. FIS ends its actions itself when
 * their durations run out, which is this fault's time-to-live; starting refuses a template whose actions would
 * outlast `ttl`.
 *
 * ```ts
 * new FisExperimentRun("stop-one-web-run", { templateId: tpl.templateId, ttl: "10m" });
 * ```
 */
export class FisExperimentRun extends pulumi.ComponentResource {
    static readonly type = "faultline:aws:FisExperimentRun";

    /** What this fault does, in one sentence. */
    readonly description: string;
    /** The run's record: experiment id, region. */
    readonly record: pulumi.Output<unknown>;
    /** When the experiment started (ISO 8601). */
    readonly injectedAt: pulumi.Output<string>;

    constructor(name: string, args: FisExperimentRunArgs, opts?: pulumi.ComponentResourceOptions) {
        super(FisExperimentRun.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(FisExperimentRunSpec, args, FisExperimentRun.type, name, driver.kind);
        const driverSpec = pulumi.output(spec.templateId).apply((templateId) => ({
            templateId,
            ...(spec.region ? { region: spec.region } : {}),
            ttlMs,
            waitForRunning: spec.waitForRunning,
            startTimeoutMs: spec.startTimeout,
            stopTimeoutMs: spec.stopTimeout,
            pollMs: spec.pollInterval,
        }));
        const fault = new FaultResource(
            `${name}-fault`,
            { driverModule: require.resolve("./drivers/fisExperiment"), kind: driver.kind, spec: driverSpec, owner, ttlMs },
            { parent: this },
        );
        this.description = typeof spec.templateId === "string" ? driver.describe({ templateId: spec.templateId, ...(spec.region ? { region: spec.region } : {}) } as never) : `start the FIS experiment template of this stack; destroy stops it`;
        this.record = fault.record;
        this.injectedAt = fault.injectedAt;
        this.registerOutputs({ description: this.description, record: this.record, injectedAt: this.injectedAt });
    }
}
