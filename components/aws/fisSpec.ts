// The specs of the AWS kinds, free of @pulumi/* (zod and the action catalog only): the registry lists the AWS kinds
// (components/aws/faults/), and the registry is bundled into the reapers, where Pulumi is not installed. The
// components (FisExperimentTemplate.ts, FisExperimentRun.ts) validate their args with these same schemas.
import { z } from "zod";
import { Duration } from "../../spec/fields";
import { FisAction } from "./fisCatalog";

/** A CloudWatch alarm this component creates as the stop condition. */
const AlarmSpec = z
    .object({
        /** Metric namespace, e.g. "AWS/ApplicationELB". */
        namespace: z.string().min(1),
        /** Metric name, e.g. "HTTPCode_Target_5XX_Count". */
        metricName: z.string().min(1),
        /** Metric dimensions, e.g. `{ LoadBalancer: "app/web/123" }`. */
        dimensions: z.record(z.string(), z.string()).optional(),
        /** Statistic. Defaults to "Sum". */
        statistic: z.enum(["SampleCount", "Average", "Sum", "Minimum", "Maximum"]).default("Sum"),
        /** The threshold that stops the experiment. */
        threshold: z.number(),
        /** Defaults to GreaterThanOrEqualToThreshold. */
        comparisonOperator: z
            .enum(["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"])
            .default("GreaterThanOrEqualToThreshold"),
        /** Period in seconds. Defaults to 60. */
        period: z.number().int().positive().default(60),
        /** Defaults to 1. */
        evaluationPeriods: z.number().int().positive().default(1),
        /** How missing data counts. Defaults to "missing" (CloudWatch's default). */
        treatMissingData: z.enum(["missing", "ignore", "breaching", "notBreaching"]).default("missing"),
    })
    .strict();

/** Spec of a FIS experiment template. */
export const FisExperimentTemplateSpec = z
    .object({
        /** What the experiment is for; shown in the FIS console. */
        description: z.string({ error: "required: what this experiment tests" }).min(1, "must not be empty: say what this experiment tests"),
        /** The actions, from faultline's typed catalog. Each has its own target. */
        actions: z.array(FisAction, { error: "required: at least one action" }).min(1, "give at least one action"),
        /**
         * When FIS stops the experiment on its own: an existing alarm (`{ alarmArn }`), an alarm to create
         * (`{ alarm: {...} }`), or `{ none: true }`, an explicit choice the policy pack can refuse.
         */
        stopCondition: z.union(
            [
                z.object({ alarmArn: z.string().regex(/^arn:aws[a-z-]*:cloudwatch:/, "is not a CloudWatch alarm ARN") }).strict(),
                z.object({ alarm: AlarmSpec }).strict(),
                z.object({ none: z.literal(true) }).strict(),
            ],
            { error: "required: { alarmArn }, { alarm: {...} } to create one, or { none: true }" },
        ),
        /** Experiment logs: to CloudWatch Logs (an existing group, or `{ create: true }`) or to S3. */
        logs: z
            .union([
                z.object({ cloudwatch: z.union([z.object({ logGroupArn: z.string().regex(/^arn:aws[a-z-]*:logs:/, "is not a log group ARN") }).strict(), z.object({ create: z.literal(true), retentionDays: z.number().int().positive().default(30) }).strict()]) }).strict(),
                z.object({ s3: z.object({ bucket: z.string().min(3), prefix: z.string().optional() }).strict() }).strict(),
            ])
            .optional(),
        /** What FIS does when a target resolves to nothing: `fail` (default; a typo in a tag fails loudly) or `skip`. */
        emptyTargetResolution: z.enum(["fail", "skip"]).default("fail"),
        /** Region, for the SSM document ARN. Defaults to the provider's region. */
        region: z.string().min(1).optional(),
        /** Extra tags on everything this component creates. */
        tags: z.record(z.string(), z.string()).optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
        const names = new Set<string>();
        s.actions.forEach((a, i) => {
            if (names.has(a.name)) ctx.addIssue({ code: "custom", path: ["actions", i, "name"], message: `duplicate action name "${a.name}"` });
            names.add(a.name);
        });
        s.actions.forEach((a, i) => {
            for (const after of a.startAfter ?? []) {
                if (!names.has(after)) ctx.addIssue({ code: "custom", path: ["actions", i, "startAfter"], message: `no action named "${after}" in this template` });
            }
        });
    });
export type FisExperimentTemplateSpec = z.infer<typeof FisExperimentTemplateSpec>;

/**
 * The options of one run of a FIS template, as written by users (durations as "5m" or milliseconds): every field
 * of {@link FisExperimentRun}'s spec but the template, which the run's component takes as an id or an Output.
 */
export const FisRunOptions = z
    .object({
        /** AWS region of the template. Defaults to the SDK's (AWS_REGION, the profile). */
        region: z.string().min(1).optional(),
        /** Wait until the experiment is running before `up` completes. Defaults to true. */
        waitForRunning: z.boolean().default(true),
        /** How long to wait for `running` before stopping it and failing. Defaults to "5m". */
        startTimeout: Duration.default(300_000),
        /** How long `destroy` waits for the experiment to end after stopping it. Defaults to "10m". */
        stopTimeout: Duration.default(600_000),
        /** Time between two status checks while waiting. Defaults to "5s". */
        pollInterval: Duration.default(5_000),
    })
    .strict();
