// Compliant resources of every kind the pack checks. Each test starts from one of these and changes one field.
import type { TestResource } from "../helpers/policy";

export const FAULT_TYPE = "pulumi-nodejs:dynamic/faultline:DockerNetworkDisconnect";
export const EXPERIMENT_TYPE = "pulumi-nodejs:dynamic/faultline:Experiment";
export const FIS_TYPE = "aws:fis/experimentTemplate:ExperimentTemplate";

/** A Docker fault on one opted-in container, 10 minutes. */
export function dockerFault(name = "web-partition", target = "web"): TestResource {
    return {
        type: FAULT_TYPE,
        name: `${name}-fault`,
        props: {
            kind: "docker:network-disconnect",
            spec: { container: target, network: "backend" },
            owner: { project: "faultline", stack: "staging", experiment: "checkout", fault: name, kind: "docker:network-disconnect" },
            ttlMs: 10 * 60_000,
            targets: [{ name: target, labels: { "chaos.opt-in": "true" } }],
        },
    };
}

/** A Docker fault whose spec selects containers (components/docker/selector.ts). */
export function selectorFault(): TestResource {
    const f = dockerFault("web-pause");
    f.props.kind = "docker:pause";
    f.props.spec = { target: { labels: { app: "web" }, mode: "fixed", value: 2 } };
    f.props.targets = [
        { name: "web-1", labels: { app: "web", "chaos.opt-in": "true" } },
        { name: "web-2", labels: { app: "web", "chaos.opt-in": "true" } },
    ];
    return f;
}

/** The experiment "checkout", declaring everything the pack asks for. */
export function experiment(name = "checkout"): TestResource {
    return {
        type: EXPERIMENT_TYPE,
        name,
        props: {
            name,
            owner: "sre",
            hypothesis: "checkout keeps accepting orders while the web tier is partitioned",
            steadyStateProbes: 1,
            stopConditions: 1,
            environment: "staging",
        },
    };
}

/** A Chaos Mesh NetworkChaos partition of opted-in pods in "default", 5 minutes. */
export function networkChaos(): TestResource {
    return {
        type: "kubernetes:chaos-mesh.org/v1alpha1:NetworkChaos",
        name: "orders-partition",
        props: {
            metadata: { name: "orders-partition", namespace: "default", labels: { "dev.faultline.experiment": "checkout" } },
            spec: {
                action: "partition",
                mode: "fixed",
                value: "2",
                duration: "5m",
                selector: { namespaces: ["default"], labelSelectors: { app: "orders", "chaos.opt-in": "true" } },
            },
        },
    };
}

/** A faultline-managed NetworkPolicy partition in "default". */
export function networkPolicy(): TestResource {
    return {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "orders-deny",
        props: {
            metadata: {
                name: "orders-deny",
                namespace: "default",
                labels: { "dev.faultline.managed": "true", "dev.faultline.experiment": "checkout" },
            },
            spec: { podSelector: { matchLabels: { app: "orders", "chaos.opt-in": "true" } }, policyTypes: ["Ingress", "Egress"] },
        },
    };
}

/** A node-stress DaemonSet with limits on opted-in nodes. */
export function nodeStress(): TestResource {
    return {
        type: "kubernetes:apps/v1:DaemonSet",
        name: "cpu-stress",
        props: {
            metadata: {
                name: "cpu-stress",
                namespace: "default",
                labels: { "dev.faultline.role": "node-stress", "dev.faultline.experiment": "checkout" },
            },
            spec: {
                template: {
                    spec: {
                        nodeSelector: { "chaos.opt-in": "true" },
                        containers: [{ name: "stress", image: "faultline/tools:1", resources: { limits: { cpu: "500m", memory: "128Mi" } } }],
                    },
                },
            },
        },
    };
}

/** An FIS template stopping tagged EC2 instances, with an alarm stop condition and logs. */
export function fisTemplate(): TestResource {
    return {
        type: FIS_TYPE,
        name: "stop-web",
        props: {
            description: "stop one web instance",
            roleArn: "arn:aws:iam::123456789012:role/fis-web",
            stopConditions: [{ source: "aws:cloudwatch:alarm", value: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-5xx" }],
            actions: [
                {
                    name: "stop",
                    actionId: "aws:ec2:stop-instances",
                    target: { key: "Instances", value: "web" },
                    parameters: [{ key: "startInstancesAfterDuration", value: "PT5M" }],
                },
            ],
            targets: [
                {
                    name: "web",
                    resourceType: "aws:ec2:instance",
                    selectionMode: "COUNT(1)",
                    resourceTags: [{ key: "chaos.opt-in", value: "true" }],
                },
            ],
            logConfiguration: { logSchemaVersion: 2, cloudwatchLogsConfiguration: { logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:fis" } },
            tags: { "dev.faultline.experiment": "checkout" },
        },
    };
}

/** The role FIS assumes for {@link fisTemplate}: trusts FIS only, scoped actions. */
export function fisRole(): TestResource {
    return {
        type: "aws:iam/role:Role",
        name: "fis-web",
        props: {
            name: "fis-web",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "fis.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            inlinePolicies: [
                {
                    name: "stop-web",
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
                            {
                                Effect: "Allow",
                                Action: ["ec2:StopInstances", "ec2:StartInstances"],
                                Resource: "arn:aws:ec2:*:*:instance/*",
                                Condition: { StringEquals: { "aws:ResourceTag/chaos.opt-in": "true" } },
                            },
                        ],
                    }),
                },
            ],
        },
    };
}

/** A cpu-stress fault: 2 workers on a container limited to 2 CPUs. */
export function cpuStressFault(): TestResource {
    const f = dockerFault("web-cpu");
    f.type = "pulumi-nodejs:dynamic/faultline:DockerCpuStress";
    f.props.kind = "docker:cpu-stress";
    f.props.spec = { target: { name: "web", mode: "one" }, workers: 2, load: 100 };
    f.props.targets = [{ name: "web", labels: { "chaos.opt-in": "true" }, capacity: { cpus: 2, cpusFrom: "quota" } }];
    return f;
}

/** A memory-stress fault: 80% of a container with a 512 MiB limit. */
export function memoryStressFault(): TestResource {
    const f = dockerFault("web-memory");
    f.type = "pulumi-nodejs:dynamic/faultline:DockerMemoryStress";
    f.props.kind = "docker:memory-stress";
    f.props.spec = { target: { name: "web", mode: "one" }, percent: 80, workers: 1 };
    f.props.targets = [{ name: "web", labels: { "chaos.opt-in": "true" }, capacity: { memoryLimitBytes: 512 * 1024 * 1024 } }];
    return f;
}

/** A disk-fill fault: 1 GiB into /data, which has 8 GiB free of 10 GiB, keeping the default 10% reserve. */
export function diskFillFault(): TestResource {
    const GiB = 1024 ** 3;
    const f = dockerFault("db-disk");
    f.type = "pulumi-nodejs:dynamic/faultline:DockerDiskFill";
    f.props.kind = "docker:disk-fill";
    f.props.spec = { target: { name: "db", mode: "one" }, path: "/data", bytes: GiB, reservePercent: 10 };
    f.props.targets = [
        {
            name: "db",
            labels: { "chaos.opt-in": "true" },
            capacity: {
                filesystem: {
                    path: "/data",
                    type: "ext4",
                    device: "/dev/vdb1 (a host disk: a bind mount or volume)",
                    hostShared: true,
                    sizeBytes: 10 * GiB,
                    freeBytes: 8 * GiB,
                    reserveBytes: GiB,
                    fillBytes: GiB,
                },
            },
        },
    ];
    return f;
}
