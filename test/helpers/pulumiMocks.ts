import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered, as the mocks saw it. */
export interface MockedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** The parent's URN, when it has one. */
    parent?: string;
}

/** Canned answers of provider functions (invokes) the components call, by token. */
const CALLS: Record<string, Record<string, unknown>> = {
    "aws:index/getRegion:getRegion": { id: "eu-west-1", name: "eu-west-1", region: "eu-west-1" },
    "aws:index/getCallerIdentity:getCallerIdentity": { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/test", userId: "AIDTEST", id: "123456789012" },
    "aws:index/getPartition:getPartition": { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" },
};

/** Outputs a real provider computes that the components read (ARNs), derived from the resource's name. */
function computed(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (type) {
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::123456789012:role/${inputs.name ?? name}`, name: inputs.name ?? name };
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return { arn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${inputs.name ?? name}` };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: `arn:aws:logs:eu-west-1:123456789012:log-group:${inputs.name ?? name}` };
        case "aws:fis/experimentTemplate:ExperimentTemplate":
            return { id: `EXT${name.replace(/[^A-Za-z0-9]/g, "").slice(0, 12)}` };
        default:
            // A Kubernetes fault's lease reads the nodes as they were: here, untouched nodes.
            if (type.endsWith(":KubernetesFaultLease")) {
                const nodes = (inputs.nodes ?? []).map((n: object) => ({ ...n, before: { unschedulable: false, taints: [] } }));
                return { record: { owner: inputs.owner, expiresAt: Date.now() + inputs.ttlMs, objects: inputs.objects, nodes } };
            }
            return {};
    }
}

/**
 * Installs Pulumi's mocks (no engine, no providers) and returns the list every registered resource is appended
 * to. Call it before importing any component, so every resource goes through the mocks.
 */
export function installMocks(opts: { project?: string; stack?: string; preview?: boolean } = {}): MockedResource[] {
    const seen: MockedResource[] = [];
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                const extra = computed(args.type, args.name, args.inputs);
                seen.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: (extra.id as string | undefined) ?? `${args.name}-id`, state: { ...args.inputs, ...extra } };
            },
            call(args) {
                const answer = CALLS[args.token];
                if (!answer) throw new Error(`no mock for the invoke ${args.token}; add it to test/helpers/pulumiMocks.ts`);
                return answer;
            },
        },
        opts.project ?? "faultline",
        opts.stack ?? "test-mock",
        opts.preview ?? true,
    );
    return seen;
}

/** Waits until the program stops registering resources (registration is asynchronous). */
export async function settle(seen: MockedResource[]): Promise<void> {
    let last = -1;
    let stable = 0;
    for (let i = 0; i < 500 && stable < 5; i++) {
        await new Promise((r) => setTimeout(r, 5));
        stable = seen.length === last ? stable + 1 : 0;
        last = seen.length;
    }
}

/** The one mocked resource of `type` named `name`; fails listing what exists otherwise. */
export function only(seen: MockedResource[], type: string, name?: string): MockedResource {
    const hits = seen.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (hits.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${hits.length}; registered: ${seen.map((r) => `${r.type} ${r.name}`).join(", ")}`);
    }
    return hits[0]!;
}

/** The value of an Output, for assertions. */
export function valueOf<T>(o: pulumi.Output<T> | T): Promise<T> {
    return pulumi.Output.isInstance(o) ? new Promise((resolve) => (o as pulumi.Output<T>).apply((v) => resolve(v))) : Promise.resolve(o as T);
}
