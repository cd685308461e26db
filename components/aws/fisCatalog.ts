import { z } from "zod";
import { formatDuration, isoDuration } from "../../spec/units";
import { Duration } from "../../spec/fields";

const Arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:/, "is not an ARN (arn:aws:<service>:…)");

/**
 * How many of the resolved targets an action hits: FIS's selection mode. `count` (default, 1) → COUNT(n),
 * `percent` → PERCENT(n), `all` → ALL, which needs `allowAll: true` unless the targets are listed by ARN.
 */
const Selection = z
    .object({
        mode: z.enum(["count", "percent", "all"], { error: "must be count, percent or all" }),
        value: z.number().int("must be a whole number").positive("must be greater than zero").optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.mode !== "all" && s.value === undefined) ctx.addIssue({ code: "custom", path: ["value"], message: `required when mode is "${s.mode}"` });
        if (s.mode === "percent" && s.value !== undefined && s.value > 100) ctx.addIssue({ code: "custom", path: ["value"], message: "a percentage must be between 1 and 100" });
    });

/**
 * The resources an action acts on: exactly one of `arns` or `tags` (FIS refuses both), optionally narrowed by
 * `filters` (paths into the resource's describe output), plus resource-type `parameters` where FIS has them.
 */
export const FisTarget = z
    .object({
        /** Exact resource ARNs. */
        arns: z.array(Arn).min(1, "give at least one ARN, or use tags").optional(),
        /** Tags the resources must all have, e.g. `{ "chaos-ready": "true" }`. */
        tags: z.record(z.string().min(1), z.string()).optional(),
        /** Filters on attributes, e.g. `[{ path: "Placement.AvailabilityZone", values: ["eu-west-1a"] }]`. */
        filters: z.array(z.object({ path: z.string().min(1), values: z.array(z.string()).min(1) }).strict()).optional(),
        /** Resource-type parameters, e.g. `{ cluster: "shop" }` for ECS tasks. */
        parameters: z.record(z.string().min(1), z.string()).optional(),
        /** How many of the matching resources are hit. Defaults to one (`{ mode: "count", value: 1 }`). */
        selection: Selection.default({ mode: "count", value: 1 }),
        /** Must be true for `selection.mode: all` on targets found by tags or filters. */
        allowAll: z.boolean().optional(),
    })
    .strict()
    .superRefine((t, ctx) => {
        if (t.arns && t.tags) ctx.addIssue({ code: "custom", path: ["tags"], message: "FIS takes arns or tags, not both; remove one" });
        if (!t.arns && !t.tags) ctx.addIssue({ code: "custom", message: "give arns or tags: which resources to act on" });
        if (t.selection.mode === "all" && !t.arns && t.allowAll !== true) {
            ctx.addIssue({ code: "custom", path: ["allowAll"], message: 'selection "all" on tagged resources hits every match; set allowAll: true to confirm, or use count/percent' });
        }
    });
export type FisTarget = z.infer<typeof FisTarget>;

/**
 * The pods an `eks:pod-*` action acts on. FIS's `aws:eks:pod` targets take resource-type parameters only, never
 * ARNs or tags (see docs/kubernetes-aws.md, pulumi-aws#3058).
 */
export const EksPodTarget = z
    .object({
        /** EKS cluster name or ARN. */
        cluster: z.string().min(1),
        /** Kubernetes namespace of the pods. */
        namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "is not a namespace name"),
        /** How pods are chosen: `labelSelector` ("app=web"), `deploymentName`, `podName`, …; and the value. */
        selectorType: z.enum(["labelSelector", "deploymentName", "daemonSetName", "statefulSetName", "serviceName", "podName"]),
        selectorValue: z.string().min(1),
        /** Container in the pod; the first one when left out. */
        container: z.string().min(1).optional(),
        /** How many of the matching pods are hit. Defaults to one. */
        selection: Selection.default({ mode: "count", value: 1 }),
        /** Must be true for `selection.mode: all`. */
        allowAll: z.boolean().optional(),
    })
    .strict()
    .superRefine((t, ctx) => {
        if (t.selection.mode === "all" && t.allowAll !== true) {
            ctx.addIssue({ code: "custom", path: ["allowAll"], message: 'selection "all" hits every matching pod; set allowAll: true to confirm, or use count/percent' });
        }
    });
export type EksPodTarget = z.infer<typeof EksPodTarget>;

const ActionName = z
    .string({ error: "required: a name for this action, unique in the template" })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "use letters, digits, '-' and '_' (at most 64)");
const Base = {
    /** Action name, unique in the template. */
    name: ActionName,
    /** Names of actions that must finish before this one starts. */
    startAfter: z.array(ActionName).min(1).optional(),
    /** Free text shown in the FIS console. */
    description: z.string().optional(),
};
const Pct = z.number().int().min(1, "must be between 1 and 100").max(100, "must be between 1 and 100");
const ApiFault = {
    ...Base,
    target: FisTarget,
    /** The AWS service whose calls fail. FIS supports "ec2". */
    service: z.literal("ec2", { error: 'FIS injects API errors into "ec2" calls only' }),
    /** API operations, e.g. ["DescribeInstances", "RunInstances"]. */
    operations: z.array(z.string().regex(/^[A-Z][A-Za-z0-9]+$/, "is not an API operation name such as DescribeInstances")).min(1),
    /** Share of calls that fail. */
    percentage: Pct,
    /** How long. */
    duration: Duration,
};
const EksBase = { ...Base, target: EksPodTarget, kubernetesServiceAccount: z.string().min(1, "the service account FIS's pod runs as, with the RBAC the action needs") };

/** One FIS action, by its faultline name. The list is the catalog: each entry maps to exactly one FIS action id. */
export const FisAction = z.discriminatedUnion(
    "action",
    [
        z.object({ action: z.literal("ec2:stop-instances"), ...Base, target: FisTarget, restartAfter: Duration, completeIfInstancesTerminated: z.boolean().optional() }).strict(),
        z.object({ action: z.literal("ec2:terminate-instances"), ...Base, target: FisTarget, allowIrreversible: z.literal(true, { error: "terminated instances cannot come back; set allowIrreversible: true to confirm" }) }).strict(),
        z.object({ action: z.literal("ecs:stop-task"), ...Base, target: FisTarget }).strict(),
        z.object({ action: z.literal("ecs:drain-container-instances"), ...Base, target: FisTarget, drainagePercentage: Pct, duration: Duration }).strict(),
        z.object({ action: z.literal("eks:pod-delete"), ...EksBase, gracePeriodSeconds: z.number().int().min(0).optional() }).strict(),
        z.object({ action: z.literal("eks:pod-cpu-stress"), ...EksBase, duration: Duration, percent: Pct.optional(), workers: z.number().int().positive().optional() }).strict(),
        z.object({ action: z.literal("eks:pod-memory-stress"), ...EksBase, duration: Duration, percent: Pct.optional(), workers: z.number().int().positive().optional() }).strict(),
        z.object({ action: z.literal("eks:pod-network-latency"), ...EksBase, duration: Duration, delayMilliseconds: z.number().int().positive(), jitterMilliseconds: z.number().int().min(0).optional(), sources: z.string().min(1).optional() }).strict(),
        z
            .object({
                action: z.literal("network:disrupt-connectivity"),
                ...Base,
                target: FisTarget,
                scope: z.enum(["all", "availability-zone", "dynamodb", "prefix-list", "s3"], { error: "must be all, availability-zone, dynamodb, prefix-list or s3" }),
                prefixListIdentifier: z.string().min(1).optional(),
                duration: Duration,
            })
            .strict()
            .superRefine((a, ctx) => {
                if ((a.scope === "prefix-list") !== (a.prefixListIdentifier !== undefined)) {
                    ctx.addIssue({ code: "custom", path: ["prefixListIdentifier"], message: 'required with scope "prefix-list", and only with it' });
                }
            }),
        z.object({ action: z.literal("rds:failover-db-cluster"), ...Base, target: FisTarget }).strict(),
        z.object({ action: z.literal("rds:reboot-db-instances"), ...Base, target: FisTarget, forceFailover: z.boolean().optional() }).strict(),
        z
            .object({
                action: z.literal("ssm:cpu-stress"),
                ...Base,
                target: FisTarget,
                duration: Duration,
                /** Number of CPU stressors; 0 (default) means one per CPU. */
                cpu: z.number().int().min(0).optional(),
                loadPercent: Pct.optional(),
                installDependencies: z.boolean().default(true),
            })
            .strict(),
        z.object({ action: z.literal("fis:inject-api-internal-error"), ...ApiFault }).strict(),
        z.object({ action: z.literal("fis:inject-api-throttle-error"), ...ApiFault }).strict(),
        z.object({ action: z.literal("fis:inject-api-unavailable-error"), ...ApiFault }).strict(),
    ],
    {
        error:
            "unknown action; supported: ec2:stop-instances, ec2:terminate-instances, ecs:stop-task, ecs:drain-container-instances, eks:pod-delete, eks:pod-cpu-stress, eks:pod-memory-stress, eks:pod-network-latency, network:disrupt-connectivity, rds:failover-db-cluster, rds:reboot-db-instances, ssm:cpu-stress, fis:inject-api-internal-error, fis:inject-api-throttle-error, fis:inject-api-unavailable-error",
    },
);
export type FisAction = z.infer<typeof FisAction>;

/** An IAM policy statement. */
export interface Statement {
    Effect: "Allow";
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

/** What FIS needs to know of an action, and what its role must be allowed to do. */
interface CatalogEntry<A> {
    /** The FIS action id. */
    actionId: string;
    /** The key of the action's target in FIS, and the target's resource type. */
    targetKey: string;
    resourceType: string;
    /** The action's FIS parameters. */
    parameters(a: A, region: string): Record<string, string>;
    /** How long the fault lasts, in ms (0: instantaneous). The template's ttl must cover the longest. */
    durationMs(a: A): number;
    /** The least privilege the experiment role needs for this action on this target. */
    statements(a: A): Statement[];
    /** True when nothing can undo it (a terminated instance). */
    irreversible?: boolean;
}

/**
 * `actions` on `pattern`, scoped to the target: its exact ARNs, or `pattern` with a tag condition so the role can
 * only touch resources carrying the target's tags.
 */
function scoped(actions: string[], pattern: string, t: FisTarget): Statement {
    if (t.arns) return { Effect: "Allow", Action: actions, Resource: t.arns };
    const tags = Object.fromEntries(Object.entries(t.tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
    return { Effect: "Allow", Action: actions, Resource: pattern, ...(Object.keys(tags).length ? { Condition: { StringEquals: tags } } : {}) };
}

function anywhere(actions: string[]): Statement {
    return { Effect: "Allow", Action: actions, Resource: "*" };
}

function eksCluster(t: EksPodTarget): string {
    return t.cluster.startsWith("arn:") ? t.cluster : `arn:aws:eks:*:*:cluster/${t.cluster}`;
}

type Of<K extends FisAction["action"]> = Extract<FisAction, { action: K }>;
const num = (n: number | undefined, key: string): Record<string, string> => (n === undefined ? {} : { [key]: String(n) });

type ApiFaultAction = Of<"fis:inject-api-internal-error" | "fis:inject-api-throttle-error" | "fis:inject-api-unavailable-error">;

function apiFault(kind: "internal" | "throttle" | "unavailable"): CatalogEntry<any> {
    const perm = { internal: "fis:InjectApiInternalError", throttle: "fis:InjectApiThrottleError", unavailable: "fis:InjectApiUnavailableError" }[kind];
    return {
        actionId: `aws:fis:inject-api-${kind}-error`,
        targetKey: "Roles",
        resourceType: "aws:iam:role",
        parameters: (a: ApiFaultAction) => ({ service: a.service, operations: a.operations.join(","), percentage: String(a.percentage), duration: isoDuration(a.duration) }),
        durationMs: (a: ApiFaultAction) => a.duration,
        statements: (a: ApiFaultAction) => [
            { Effect: "Allow", Action: [perm], Resource: "arn:aws:fis:*:*:experiment/*" },
            ...(a.target.tags ? [anywhere(["iam:ListRoles"])] : []),
        ],
    };
}

function eksPod(actionId: string, params: (a: any) => Record<string, string>, durationMs: (a: any) => number, network = false): CatalogEntry<any> {
    return {
        actionId,
        targetKey: "Pods",
        resourceType: "aws:eks:pod",
        parameters: (a) => ({ kubernetesServiceAccount: a.kubernetesServiceAccount, ...params(a) }),
        durationMs,
        statements: (a) => [
            { Effect: "Allow", Action: ["eks:DescribeCluster"], Resource: eksCluster(a.target) },
            ...(network ? [anywhere(["ec2:DescribeSubnets"])] : []),
        ],
    };
}

/** The catalog: every supported action, how FIS spells it, and the permissions it needs. */
export const CATALOG: { [K in FisAction["action"]]: CatalogEntry<Of<K>> } = {
    "ec2:stop-instances": {
        actionId: "aws:ec2:stop-instances",
        targetKey: "Instances",
        resourceType: "aws:ec2:instance",
        parameters: (a) => ({
            startInstancesAfterDuration: isoDuration(a.restartAfter),
            ...(a.completeIfInstancesTerminated !== undefined ? { completeIfInstancesTerminated: String(a.completeIfInstancesTerminated) } : {}),
        }),
        durationMs: (a) => a.restartAfter,
        statements: (a) => [scoped(["ec2:StartInstances", "ec2:StopInstances"], "arn:aws:ec2:*:*:instance/*", a.target), anywhere(["ec2:DescribeInstances"])],
    },
    "ec2:terminate-instances": {
        actionId: "aws:ec2:terminate-instances",
        targetKey: "Instances",
        resourceType: "aws:ec2:instance",
        parameters: () => ({}),
        durationMs: () => 0,
        statements: (a) => [scoped(["ec2:TerminateInstances"], "arn:aws:ec2:*:*:instance/*", a.target), anywhere(["ec2:DescribeInstances"])],
        irreversible: true,
    },
    "ecs:stop-task": {
        actionId: "aws:ecs:stop-task",
        targetKey: "Tasks",
        resourceType: "aws:ecs:task",
        parameters: () => ({}),
        durationMs: () => 0,
        statements: (a) => [scoped(["ecs:StopTask"], "arn:aws:ecs:*:*:task/*", a.target), anywhere(["ecs:DescribeTasks", "ecs:ListTasks"])],
    },
    "ecs:drain-container-instances": {
        actionId: "aws:ecs:drain-container-instances",
        targetKey: "Clusters",
        resourceType: "aws:ecs:cluster",
        parameters: (a) => ({ drainagePercentage: String(a.drainagePercentage), duration: isoDuration(a.duration) }),
        durationMs: (a) => a.duration,
        statements: (a) => [
            // Container instances are not tagged like their cluster: scope by the cluster condition key instead.
            {
                Effect: "Allow",
                Action: ["ecs:UpdateContainerInstancesState"],
                Resource: "arn:aws:ecs:*:*:container-instance/*",
                ...(a.target.arns ? { Condition: { ArnEquals: { "ecs:cluster": a.target.arns } } } : {}),
            },
            anywhere(["ecs:DescribeClusters", "ecs:ListContainerInstances", "tag:GetResources"]),
        ],
    },
    "eks:pod-delete": eksPod("aws:eks:pod-delete", (a) => num(a.gracePeriodSeconds, "gracePeriodSeconds"), () => 0),
    "eks:pod-cpu-stress": eksPod("aws:eks:pod-cpu-stress", (a) => ({ duration: isoDuration(a.duration), ...num(a.percent, "percent"), ...num(a.workers, "workers") }), (a) => a.duration),
    "eks:pod-memory-stress": eksPod("aws:eks:pod-memory-stress", (a) => ({ duration: isoDuration(a.duration), ...num(a.percent, "percent"), ...num(a.workers, "workers") }), (a) => a.duration),
    "eks:pod-network-latency": eksPod(
        "aws:eks:pod-network-latency",
        (a) => ({
            duration: isoDuration(a.duration),
            delayMilliseconds: String(a.delayMilliseconds),
            ...num(a.jitterMilliseconds, "jitterMilliseconds"),
            ...(a.sources ? { sources: a.sources } : {}),
        }),
        (a) => a.duration,
        true,
    ),
    "network:disrupt-connectivity": {
        actionId: "aws:network:disrupt-connectivity",
        targetKey: "Subnets",
        resourceType: "aws:ec2:subnet",
        parameters: (a) => ({ scope: a.scope, duration: isoDuration(a.duration), ...(a.prefixListIdentifier ? { prefixListIdentifier: a.prefixListIdentifier } : {}) }),
        durationMs: (a) => a.duration,
        // FIS swaps the subnets onto a network ACL it creates and tags managedByFIS=true; the role may only create,
        // edit and delete ACLs carrying that tag, and only re-associate the target subnets.
        statements: (a) => [
            { Effect: "Allow", Action: ["ec2:CreateNetworkAcl"], Resource: "arn:aws:ec2:*:*:network-acl/*", Condition: { StringEquals: { "aws:RequestTag/managedByFIS": "true" } } },
            { Effect: "Allow", Action: ["ec2:CreateTags"], Resource: "arn:aws:ec2:*:*:network-acl/*", Condition: { StringEquals: { "ec2:CreateAction": "CreateNetworkAcl" } } },
            { Effect: "Allow", Action: ["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"], Resource: "arn:aws:ec2:*:*:network-acl/*", Condition: { StringEquals: { "ec2:ResourceTag/managedByFIS": "true" } } },
            { Effect: "Allow", Action: ["ec2:ReplaceNetworkAclAssociation"], Resource: "arn:aws:ec2:*:*:network-acl/*" },
            scoped(["ec2:ReplaceNetworkAclAssociation"], "arn:aws:ec2:*:*:subnet/*", a.target),
            anywhere(["ec2:DescribeManagedPrefixLists", "ec2:DescribeNetworkAcls", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:GetManagedPrefixListEntries"]),
        ],
    },
    "rds:failover-db-cluster": {
        actionId: "aws:rds:failover-db-cluster",
        targetKey: "Clusters",
        resourceType: "aws:rds:cluster",
        parameters: () => ({}),
        durationMs: () => 0,
        statements: (a) => [scoped(["rds:FailoverDBCluster"], "arn:aws:rds:*:*:cluster:*", a.target), anywhere(["rds:DescribeDBClusters", "tag:GetResources"])],
    },
    "rds:reboot-db-instances": {
        actionId: "aws:rds:reboot-db-instances",
        targetKey: "DBInstances",
        resourceType: "aws:rds:db-instance",
        parameters: (a): Record<string, string> => (a.forceFailover !== undefined ? { forceFailover: String(a.forceFailover) } : {}),
        durationMs: () => 0,
        statements: (a) => [scoped(["rds:RebootDBInstance"], "arn:aws:rds:*:*:db:*", a.target), anywhere(["rds:DescribeDBInstances", "tag:GetResources"])],
    },
    "ssm:cpu-stress": {
        actionId: "aws:ssm:send-command",
        targetKey: "Instances",
        resourceType: "aws:ec2:instance",
        parameters: (a, region) => ({
            documentArn: `arn:aws:ssm:${region}::document/AWSFIS-Run-CPU-Stress`,
            documentParameters: JSON.stringify({
                DurationSeconds: String(Math.ceil(a.duration / 1000)),
                InstallDependencies: a.installDependencies ? "True" : "False",
                ...(a.cpu !== undefined ? { CPU: String(a.cpu) } : {}),
                ...(a.loadPercent !== undefined ? { LoadPercent: String(a.loadPercent) } : {}),
            }),
            duration: isoDuration(a.duration),
        }),
        durationMs: (a) => a.duration,
        statements: (a) => [
            { Effect: "Allow", Action: ["ssm:SendCommand"], Resource: "arn:aws:ssm:*::document/AWSFIS-Run-CPU-Stress" },
            scoped(["ssm:SendCommand"], "arn:aws:ec2:*:*:instance/*", a.target),
            // CancelCommand is how FIS stops the stress when the experiment is stopped.
            anywhere(["ssm:CancelCommand", "ssm:ListCommands"]),
        ],
    },
    "fis:inject-api-internal-error": apiFault("internal"),
    "fis:inject-api-throttle-error": apiFault("throttle"),
    "fis:inject-api-unavailable-error": apiFault("unavailable"),
};

/** The catalog entry of an action, typed loosely for generic code. */
export function entryOf(a: FisAction): CatalogEntry<FisAction> {
    return CATALOG[a.action] as CatalogEntry<FisAction>;
}

/** One line for plans: what an action does to what. */
export function describeAction(a: FisAction): string {
    const e = entryOf(a);
    const t = a.target as FisTarget | EksPodTarget;
    const how = t.selection.mode === "all" ? "all" : t.selection.mode === "count" ? `${t.selection.value}` : `${t.selection.value}%`;
    const which =
        "cluster" in t
            ? `pods ${t.selectorType}=${t.selectorValue} in ${t.cluster}/${t.namespace}`
            : t.arns
              ? `${t.arns.join(", ")}`
              : `${e.resourceType} tagged ${Object.entries(t.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(",")}`;
    const d = e.durationMs(a);
    return `${e.actionId} on ${how} of ${which}${d ? ` for ${formatDuration(d)}` : ""}`;
}
