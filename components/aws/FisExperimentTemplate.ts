import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { faultArgs, type FaultOptions } from "../core/component";
import { formatDuration } from "../../spec/units";
import { ownerLabels } from "../core/labels";
import { CATALOG, describeAction, entryOf, type FisAction, type EksPodTarget, type FisTarget, type Statement } from "./fisCatalog";
import { FisExperimentTemplateSpec } from "./fisSpec";

// The spec lives in ./fisSpec.ts, free of @pulumi/*: the registry lists the AWS kinds (components/aws/faults/).
export { FisExperimentTemplateSpec } from "./fisSpec";

/** Arguments of {@link FisExperimentTemplate}. */
export interface FisExperimentTemplateArgs extends FaultOptions {
    /** What the experiment tests. */
    description: string;
    /** Actions from the catalog (see docs/kubernetes-aws.md), each with its target. */
    actions: z.input<typeof FisAction>[];
    /** `{ alarmArn }`, `{ alarm: {...} }` (created), or `{ none: true }`. */
    stopCondition: z.input<typeof FisExperimentTemplateSpec>["stopCondition"];
    /** CloudWatch Logs (`{ cloudwatch: { logGroupArn } | { create: true } }`) or `{ s3: { bucket, prefix } }`. */
    logs?: z.input<typeof FisExperimentTemplateSpec>["logs"];
    /** `fail` (default) or `skip`. */
    emptyTargetResolution?: "fail" | "skip";
    /** Region for region-specific ARNs (SSM documents). Defaults to the provider's. */
    region?: string;
    /** Extra tags. */
    tags?: Record<string, string>;
}

/** The experiment role's policy: the union of every action's least privilege, plus logging. */
export function rolePolicy(spec: FisExperimentTemplateSpec): { Version: "2012-10-17"; Statement: Statement[] } {
    const statements: Statement[] = spec.actions.flatMap((a) => entryOf(a).statements(a));
    if (spec.logs && "cloudwatch" in spec.logs) {
        statements.push({ Effect: "Allow", Action: ["logs:CreateLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:PutResourcePolicy"], Resource: "*" });
    }
    if (spec.logs && "s3" in spec.logs) {
        statements.push({ Effect: "Allow", Action: ["logs:CreateLogDelivery"], Resource: "*" });
        statements.push({ Effect: "Allow", Action: ["s3:GetBucketPolicy", "s3:PutBucketPolicy"], Resource: `arn:aws:s3:::${spec.logs.s3.bucket}` });
    }
    const seen = new Set<string>();
    return { Version: "2012-10-17", Statement: statements.filter((s) => (seen.has(JSON.stringify(s)) ? false : (seen.add(JSON.stringify(s)), true))) };
}

/** The FIS target of one action. */
function targetOf(a: FisAction, name: string): aws.types.input.fis.ExperimentTemplateTarget {
    const e = entryOf(a);
    const t = a.target as FisTarget | EksPodTarget;
    const selectionMode = t.selection.mode === "all" ? "ALL" : t.selection.mode === "count" ? `COUNT(${t.selection.value})` : `PERCENT(${t.selection.value})`;
    if ("cluster" in t) {
        // aws:eks:pod takes resource-type parameters only; FIS rejects ARNs and tags for it (pulumi-aws#3058).
        return {
            name,
            resourceType: e.resourceType,
            selectionMode,
            parameters: {
                clusterIdentifier: t.cluster,
                namespace: t.namespace,
                selectorType: t.selectorType,
                selectorValue: t.selectorValue,
                ...(t.container ? { targetContainerName: t.container } : {}),
            },
        };
    }
    return {
        name,
        resourceType: e.resourceType,
        selectionMode,
        ...(t.arns ? { resourceArns: t.arns } : {}),
        ...(t.tags ? { resourceTags: Object.entries(t.tags).map(([key, value]) => ({ key, value })) } : {}),
        ...(t.filters ? { filters: t.filters } : {}),
        ...(t.parameters ? { parameters: t.parameters } : {}),
    };
}

/**
 * An AWS FIS experiment template, declared from faultline's typed action catalog, with a least-privilege role built
 * from exactly the actions used (mutating permissions scoped to the targets' ARNs or tags), a CloudWatch-alarm stop
 * condition (created or referenced), and log configuration. A template does nothing by itself: start it with
 * {@link FisExperimentRun}. The `ttl` bounds every action's duration, which is what ends the faults in AWS.
 *
 * ```ts
 * const tpl = new FisExperimentTemplate("stop-one-web", {
 *     description: "one web instance stops for 5 minutes",
 *     actions: [{ name: "stop-web", action: "ec2:stop-instances", target: { tags: { app: "web" } }, restartAfter: "5m" }],
 *     stopCondition: { alarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-5xx" },
 *     ttl: "10m",
 * });
 * ```
 */
export class FisExperimentTemplate extends pulumi.ComponentResource {
    static readonly type = "faultline:aws:FisExperimentTemplate";
    static readonly kind = "aws:fis-experiment-template";

    /** The experiment template id (use it with FisExperimentRun or `aws fis start-experiment`). */
    readonly templateId: pulumi.Output<string>;
    /** ARN of the experiment role. */
    readonly roleArn: pulumi.Output<string>;
    /** The role's policy document, as built from the actions. */
    readonly policyDocument: ReturnType<typeof rolePolicy>;
    /** The longest action, in ms: how long the faults of one run last at most. */
    readonly maxActionDurationMs: number;
    /** One line per action, for plans. */
    readonly description: string;
    /** The stop condition's alarm ARN (undefined with `{ none: true }`). */
    readonly stopAlarmArn?: pulumi.Output<string>;

    constructor(name: string, args: FisExperimentTemplateArgs, opts?: pulumi.ComponentResourceOptions) {
        super(FisExperimentTemplate.type, name, {}, opts);
        const { spec, ttlMs, owner } = faultArgs(FisExperimentTemplateSpec, args, FisExperimentTemplate.type, name, FisExperimentTemplate.kind);
        const too = spec.actions.map((a, i) => ({ a, i, d: entryOf(a).durationMs(a) })).filter((x) => x.d > ttlMs);
        if (too.length > 0) {
            const errors = too.map(({ a, i, d }) => ({
                propertyPath: `actions[${i}].${a.action === "ec2:stop-instances" ? "restartAfter" : "duration"}`,
                reason: `${formatDuration(d)} is longer than the ttl (${formatDuration(ttlMs)}); shorten it or raise ttl`,
            }));
            throw new pulumi.InputPropertiesError({
                message: `invalid arguments for ${FisExperimentTemplate.type} "${name}":\n${errors.map((e) => `  - ${e.propertyPath}: ${e.reason}`).join("\n")}`,
                errors,
            });
        }
        const tags = { ...ownerLabels(owner), "dev.faultline.ttl": formatDuration(ttlMs), ...spec.tags };
        const child = { parent: this };

        this.policyDocument = rolePolicy(spec);
        this.maxActionDurationMs = Math.max(...spec.actions.map((a) => entryOf(a).durationMs(a)));
        this.description = spec.actions.map(describeAction).join("; ");

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `FIS experiment role of ${owner.stack}/${name} (faultline), least privilege for its actions`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "fis.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags,
            },
            child,
        );
        const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: JSON.stringify(this.policyDocument) }, child);

        let stopConditions: aws.types.input.fis.ExperimentTemplateStopCondition[];
        if ("alarmArn" in spec.stopCondition) {
            this.stopAlarmArn = pulumi.output(spec.stopCondition.alarmArn);
            stopConditions = [{ source: "aws:cloudwatch:alarm", value: spec.stopCondition.alarmArn }];
        } else if ("alarm" in spec.stopCondition) {
            const a = spec.stopCondition.alarm;
            const alarm = new aws.cloudwatch.MetricAlarm(
                `${name}-stop`,
                {
                    alarmDescription: `Stops the FIS experiment ${owner.stack}/${name} (faultline)`,
                    namespace: a.namespace,
                    metricName: a.metricName,
                    ...(a.dimensions ? { dimensions: a.dimensions } : {}),
                    statistic: a.statistic,
                    threshold: a.threshold,
                    comparisonOperator: a.comparisonOperator,
                    period: a.period,
                    evaluationPeriods: a.evaluationPeriods,
                    treatMissingData: a.treatMissingData,
                    tags,
                },
                child,
            );
            this.stopAlarmArn = alarm.arn;
            stopConditions = [{ source: "aws:cloudwatch:alarm", value: alarm.arn }];
        } else {
            stopConditions = [{ source: "none" }];
        }

        let logConfiguration: aws.types.input.fis.ExperimentTemplateLogConfiguration | undefined;
        if (spec.logs && "cloudwatch" in spec.logs) {
            const cw = spec.logs.cloudwatch;
            const groupArn = "logGroupArn" in cw ? pulumi.output(cw.logGroupArn) : new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: cw.retentionDays, tags }, child).arn;
            // FIS wants the log group ARN with its ":*" suffix.
            logConfiguration = { logSchemaVersion: 2, cloudwatchLogsConfiguration: { logGroupArn: groupArn.apply((arn) => (arn.endsWith(":*") ? arn : `${arn}:*`)) } };
        } else if (spec.logs && "s3" in spec.logs) {
            logConfiguration = { logSchemaVersion: 2, s3Configuration: { bucketName: spec.logs.s3.bucket, ...(spec.logs.s3.prefix ? { prefix: spec.logs.s3.prefix } : {}) } };
        }

        const needsRegion = spec.actions.some((a) => a.action === "ssm:cpu-stress");
        const region: pulumi.Output<string> = spec.region ? pulumi.output(spec.region) : needsRegion ? aws.getRegionOutput({}, child).region : pulumi.output("");
        const template = new aws.fis.ExperimentTemplate(
            `${name}-template`,
            {
                description: spec.description,
                roleArn: role.arn,
                stopConditions,
                actions: region.apply((r) =>
                    spec.actions.map((a) => ({
                        name: a.name,
                        actionId: CATALOG[a.action].actionId,
                        ...(a.description ? { description: a.description } : {}),
                        parameters: Object.entries(entryOf(a).parameters(a, r)).map(([key, value]) => ({ key, value })),
                        ...(a.startAfter ? { startAfters: a.startAfter } : {}),
                        target: { key: entryOf(a).targetKey, value: `${a.name}-targets` },
                    })),
                ),
                targets: spec.actions.map((a) => targetOf(a, `${a.name}-targets`)),
                experimentOptions: { accountTargeting: "single-account", emptyTargetResolutionMode: spec.emptyTargetResolution },
                ...(logConfiguration ? { logConfiguration } : {}),
                tags,
            },
            // The role must carry its policy before FIS validates the template against it.
            { ...child, dependsOn: [policy] },
        );
        this.templateId = template.id;
        this.roleArn = role.arn;
        this.registerOutputs({
            templateId: this.templateId,
            roleArn: this.roleArn,
            maxActionDurationMs: this.maxActionDurationMs,
            description: this.description,
        });
    }
}
