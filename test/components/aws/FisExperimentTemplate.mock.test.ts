// Pulumi-mock test: no engine, no AWS. Checks the exact FIS template, IAM policy and stop condition declared.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installMocks, only, settle } from "../../helpers/pulumiMocks";
import { matchSnapshot } from "../../helpers/snapshot";

const seen = installMocks();
const { FisExperimentTemplate } = require("../../../components/aws/FisExperimentTemplate") as typeof import("../../../components/aws/FisExperimentTemplate");

const TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const tags = {
    "dev.faultline.managed": "true",
    "dev.faultline.project": "faultline",
    "dev.faultline.stack": "test-mock",
    "dev.faultline.experiment": "test-mock",
    "dev.faultline.fault": "web-stop",
    "dev.faultline.kind": "aws:fis-experiment-template",
    "dev.faultline.ttl": "10m",
};

describe("FisExperimentTemplate (mocks)", () => {
    it("EC2 stop by tags: one action, its target, a referenced alarm, and a role scoped to the tags", async () => {
        const t = new FisExperimentTemplate("web-stop", {
            description: "one web instance stops for 5 minutes",
            actions: [{ name: "stop-web", action: "ec2:stop-instances", target: { tags: { app: "web", env: "staging" } }, restartAfter: "5m" }],
            stopCondition: { alarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-5xx" },
            ttl: "10m",
        });
        await settle(seen);
        const tpl = only(seen, TEMPLATE, "web-stop-template").inputs;
        assert.equal(tpl.description, "one web instance stops for 5 minutes");
        assert.equal(tpl.roleArn, "arn:aws:iam::123456789012:role/web-stop-role");
        assert.deepEqual(tpl.actions, [
            {
                name: "stop-web",
                actionId: "aws:ec2:stop-instances",
                parameters: [{ key: "startInstancesAfterDuration", value: "PT5M" }],
                target: { key: "Instances", value: "stop-web-targets" },
            },
        ]);
        assert.deepEqual(tpl.targets, [
            {
                name: "stop-web-targets",
                resourceType: "aws:ec2:instance",
                selectionMode: "COUNT(1)",
                resourceTags: [{ key: "app", value: "web" }, { key: "env", value: "staging" }],
            },
        ]);
        assert.deepEqual(tpl.stopConditions, [{ source: "aws:cloudwatch:alarm", value: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-5xx" }]);
        assert.deepEqual(tpl.experimentOptions, { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" });
        assert.deepEqual(tpl.tags, tags);
        assert.deepEqual(JSON.parse(only(seen, POLICY, "web-stop-policy").inputs.policy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: ["ec2:StartInstances", "ec2:StopInstances"],
                    Resource: "arn:aws:ec2:*:*:instance/*",
                    Condition: { StringEquals: { "aws:ResourceTag/app": "web", "aws:ResourceTag/env": "staging" } },
                },
                { Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
            ],
        });
        const role = only(seen, "aws:iam/role:Role", "web-stop-role").inputs;
        assert.deepEqual(JSON.parse(role.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "fis.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        assert.equal(t.maxActionDurationMs, 300_000);
        assert.equal(t.description, "aws:ec2:stop-instances on 1 of aws:ec2:instance tagged app=web,env=staging for 5m");
    });

    it("the whole catalog: every action id, target, parameter, a created alarm, created logs, and the merged policy", async () => {
        const arn = (s: string) => `arn:aws:${s}`;
        new FisExperimentTemplate("game-day", {
            description: "game day",
            actions: [
                { name: "stop", action: "ec2:stop-instances", target: { arns: [arn("ec2:eu-west-1:123456789012:instance/i-0abc")], selection: { mode: "all" } }, restartAfter: "2m", completeIfInstancesTerminated: true },
                { name: "terminate", action: "ec2:terminate-instances", target: { tags: { doomed: "yes" } }, allowIrreversible: true },
                { name: "stop-task", action: "ecs:stop-task", target: { tags: { svc: "api" }, parameters: { cluster: "shop" }, selection: { mode: "percent", value: 25 } } },
                { name: "drain", action: "ecs:drain-container-instances", target: { arns: [arn("ecs:eu-west-1:123456789012:cluster/shop")] }, drainagePercentage: 50, duration: "3m" },
                { name: "pod-delete", action: "eks:pod-delete", target: { cluster: "prod", namespace: "shop", selectorType: "labelSelector", selectorValue: "app=web" }, kubernetesServiceAccount: "fis-sa", gracePeriodSeconds: 0 },
                { name: "pod-cpu", action: "eks:pod-cpu-stress", target: { cluster: "prod", namespace: "shop", selectorType: "deploymentName", selectorValue: "api", container: "api" }, kubernetesServiceAccount: "fis-sa", duration: "2m", percent: 80 },
                { name: "pod-latency", action: "eks:pod-network-latency", target: { cluster: "prod", namespace: "shop", selectorType: "labelSelector", selectorValue: "app=db" }, kubernetesServiceAccount: "fis-sa", duration: "2m", delayMilliseconds: 200 },
                { name: "cut-subnet", action: "network:disrupt-connectivity", target: { arns: [arn("ec2:eu-west-1:123456789012:subnet/subnet-1")] }, scope: "all", duration: "1m" },
                { name: "failover", action: "rds:failover-db-cluster", target: { arns: [arn("rds:eu-west-1:123456789012:cluster:orders")] } },
                { name: "reboot", action: "rds:reboot-db-instances", target: { tags: { db: "orders" } }, forceFailover: true },
                { name: "cpu", action: "ssm:cpu-stress", target: { tags: { app: "batch" } }, duration: "4m", loadPercent: 90 },
                { name: "api-throttle", action: "fis:inject-api-throttle-error", target: { arns: [arn("iam::123456789012:role/app")] }, service: "ec2", operations: ["DescribeInstances", "RunInstances"], percentage: 50, duration: "2m", startAfter: ["stop"] },
            ],
            stopCondition: { alarm: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: { LoadBalancer: "app/web/1" }, threshold: 10 } },
            logs: { cloudwatch: { create: true } },
            ttl: "10m",
        });
        await settle(seen);
        const tpl = only(seen, TEMPLATE, "game-day-template").inputs;
        const byName = Object.fromEntries(tpl.actions.map((a: { name: string }) => [a.name, a]));
        assert.deepEqual(
            tpl.actions.map((a: { actionId: string; target: { key: string } }) => [a.actionId, a.target.key]),
            [
                ["aws:ec2:stop-instances", "Instances"],
                ["aws:ec2:terminate-instances", "Instances"],
                ["aws:ecs:stop-task", "Tasks"],
                ["aws:ecs:drain-container-instances", "Clusters"],
                ["aws:eks:pod-delete", "Pods"],
                ["aws:eks:pod-cpu-stress", "Pods"],
                ["aws:eks:pod-network-latency", "Pods"],
                ["aws:network:disrupt-connectivity", "Subnets"],
                ["aws:rds:failover-db-cluster", "Clusters"],
                ["aws:rds:reboot-db-instances", "DBInstances"],
                ["aws:ssm:send-command", "Instances"],
                ["aws:fis:inject-api-throttle-error", "Roles"],
            ],
        );
        assert.deepEqual(byName["cpu"].parameters, [
            { key: "documentArn", value: "arn:aws:ssm:eu-west-1::document/AWSFIS-Run-CPU-Stress" },
            { key: "documentParameters", value: '{"DurationSeconds":"240","InstallDependencies":"True","LoadPercent":"90"}' },
            { key: "duration", value: "PT4M" },
        ]);
        assert.deepEqual(byName["api-throttle"].parameters, [
            { key: "service", value: "ec2" },
            { key: "operations", value: "DescribeInstances,RunInstances" },
            { key: "percentage", value: "50" },
            { key: "duration", value: "PT2M" },
        ]);
        assert.deepEqual(byName["api-throttle"].startAfters, ["stop"]);
        // aws:eks:pod: parameters only, never ARNs or tags (FIS rejects them; pulumi-aws#3058).
        const pods = tpl.targets.find((t: { name: string }) => t.name === "pod-cpu-targets");
        assert.deepEqual(pods, {
            name: "pod-cpu-targets",
            resourceType: "aws:eks:pod",
            selectionMode: "COUNT(1)",
            parameters: { clusterIdentifier: "prod", namespace: "shop", selectorType: "deploymentName", selectorValue: "api", targetContainerName: "api" },
        });
        const tasks = tpl.targets.find((t: { name: string }) => t.name === "stop-task-targets");
        assert.deepEqual(tasks, { name: "stop-task-targets", resourceType: "aws:ecs:task", selectionMode: "PERCENT(25)", resourceTags: [{ key: "svc", value: "api" }], parameters: { cluster: "shop" } });
        assert.equal(tpl.targets.find((t: { name: string }) => t.name === "stop-targets").selectionMode, "ALL");
        const alarm = only(seen, "aws:cloudwatch/metricAlarm:MetricAlarm", "game-day-stop").inputs;
        assert.deepEqual(
            { ns: alarm.namespace, m: alarm.metricName, s: alarm.statistic, t: alarm.threshold, op: alarm.comparisonOperator, p: alarm.period, e: alarm.evaluationPeriods },
            { ns: "AWS/ApplicationELB", m: "HTTPCode_Target_5XX_Count", s: "Sum", t: 10, op: "GreaterThanOrEqualToThreshold", p: 60, e: 1 },
        );
        assert.deepEqual(tpl.stopConditions, [{ source: "aws:cloudwatch:alarm", value: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:game-day-stop" }]);
        assert.deepEqual(tpl.logConfiguration, { logSchemaVersion: 2, cloudwatchLogsConfiguration: { logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:game-day-logs:*" } });
        const policy = JSON.parse(only(seen, POLICY, "game-day-policy").inputs.policy);
        const actions = new Set<string>(policy.Statement.flatMap((s: { Action: string[] }) => s.Action));
        for (const a of ["ec2:StopInstances", "ec2:TerminateInstances", "ecs:StopTask", "ecs:UpdateContainerInstancesState", "eks:DescribeCluster", "ec2:ReplaceNetworkAclAssociation", "rds:FailoverDBCluster", "rds:RebootDBInstance", "ssm:SendCommand", "ssm:CancelCommand", "fis:InjectApiThrottleError", "logs:CreateLogDelivery"]) {
            assert.ok(actions.has(a), `${a} is granted`);
        }
        for (const a of ["fis:InjectApiInternalError", "ec2:*", "iam:PassRole", "s3:PutBucketPolicy"]) assert.ok(!actions.has(a), `${a} is not granted`);
        assert.ok(!policy.Statement.some((s: { Action: string[]; Resource: string }) => s.Resource === "*" && s.Action.some((x) => /Stop|Terminate|Reboot|Failover|Update|SendCommand$/.test(x))), "no mutating action on *");
        assert.deepEqual(policy.Statement.find((s: { Action: string[] }) => s.Action.includes("ec2:StopInstances")).Resource, ["arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"]);
        assert.deepEqual(policy.Statement.find((s: { Action: string[] }) => s.Action.includes("ecs:UpdateContainerInstancesState")).Condition, { ArnEquals: { "ecs:cluster": ["arn:aws:ecs:eu-west-1:123456789012:cluster/shop"] } });
        assert.equal(policy.Statement.find((s: { Action: string[] }) => s.Action.includes("eks:DescribeCluster")).Resource, "arn:aws:eks:*:*:cluster/prod");
        matchSnapshot("aws-fis-template-game-day", { template: tpl, policy });
    });

    it("checks the ttl against every action, and the blast radius and irreversibility, before anything is created", async () => {
        assert.throws(
            () =>
                new FisExperimentTemplate("too-long", {
                    description: "x",
                    actions: [
                        { name: "a", action: "ec2:stop-instances", target: { tags: { a: "b" } }, restartAfter: "20m" },
                        { name: "b", action: "ssm:cpu-stress", target: { tags: { a: "b" } }, duration: "1h" },
                    ],
                    stopCondition: { none: true },
                    ttl: "10m",
                }),
            (err: Error) => {
                assert.equal(
                    err.message,
                    [
                        'invalid arguments for faultline:aws:FisExperimentTemplate "too-long":',
                        "  - actions[0].restartAfter: 20m is longer than the ttl (10m); shorten it or raise ttl",
                        "  - actions[1].duration: 1h is longer than the ttl (10m); shorten it or raise ttl",
                    ].join("\n"),
                );
                return true;
            },
        );
        assert.throws(
            () =>
                new FisExperimentTemplate("unsafe", {
                    description: "x",
                    actions: [
                        { name: "t", action: "ec2:terminate-instances", target: { tags: { a: "b" }, selection: { mode: "all" } } } as never,
                        { name: "t", action: "ec2:reboot-instances", target: { tags: { a: "b" } } } as never,
                    ],
                    stopCondition: {} as never,
                    ttl: "10m",
                }),
            (err: Error) => {
                assert.match(err.message, /  - actions\[0\]\.target\.allowAll: selection "all" on tagged resources hits every match; set allowAll: true to confirm, or use count\/percent/);
                assert.match(err.message, /  - actions\[0\]\.allowIrreversible: terminated instances cannot come back; set allowIrreversible: true to confirm/);
                assert.match(err.message, /  - actions\[1\]\.action: unknown action; supported: ec2:stop-instances, /);
                assert.match(err.message, /  - stopCondition: required: \{ alarmArn \}, \{ alarm: \{\.\.\.\} \} to create one, or \{ none: true \}/);
                return true;
            },
        );
        await settle(seen);
        assert.deepEqual(seen.filter((r) => /^(too-long|unsafe)-/.test(r.name)), []);
    });
});
