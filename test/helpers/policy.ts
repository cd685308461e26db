// Runs policies of the pack (policies/) on hand-built resources, the way pulumi-policy-aws's src/tests/util.ts does:
// no engine, no PolicyPack (constructing one starts the analyzer's gRPC server).
import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

const emptyOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** Stack of the URNs the helpers build, unless a test says otherwise. */
export const TEST_STACK = "staging";

/** A resource as a test describes it. */
export interface TestResource {
    type: string;
    props: Record<string, any>;
    /** Pulumi name; defaults to "res-<index>". */
    name?: string;
    /** The stack in its URN; defaults to {@link TEST_STACK}. */
    stack?: string;
    /** Property name → the names of the resources that property depends on (resolved within the stack). */
    dependsOn?: Record<string, string[]>;
}

/** What a test can set besides the resources: the policy's config and the stack's tags. */
export interface TestContext {
    config?: object;
    stackTags?: Record<string, string>;
}

/** The URN the engine would give `r` (project "faultline"). */
export function urnOf(r: Pick<TestResource, "type" | "name" | "stack">, name = r.name ?? "res"): string {
    return `urn:pulumi:${r.stack ?? TEST_STACK}::faultline::${r.type}::${name}`;
}

function tags(ctx: TestContext): ReadonlyMap<string, string> {
    return new Map(Object.entries(ctx.stackTags ?? {}));
}

/** ResourceValidationArgs for one resource. */
export function resourceArgs(r: TestResource, ctx: TestContext = {}): ResourceValidationArgs {
    const name = r.name ?? "res";
    return {
        type: r.type,
        props: r.props,
        urn: urnOf(r, name),
        name,
        opts: emptyOptions,
        stackTags: tags(ctx),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (ctx.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
}

/** StackValidationArgs for a stack of these resources. */
export function stackArgs(resources: TestResource[], ctx: TestContext = {}): StackValidationArgs {
    const built: PolicyResource[] = resources.map((r, i) => {
        const name = r.name ?? `res-${i}`;
        return {
            type: r.type,
            props: r.props,
            urn: urnOf(r, name),
            name,
            opts: emptyOptions,
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
    });
    resources.forEach((r, i) => {
        for (const [prop, names] of Object.entries(r.dependsOn ?? {})) {
            built[i]!.propertyDependencies[prop] = names.map((n) => {
                const dep = built.find((b) => b.name === n);
                if (!dep) throw new Error(`test setup: no resource named "${n}"`);
                return dep;
            });
        }
    });
    return {
        resources: built,
        stackTags: tags(ctx),
        getConfig: <T extends object>() => (ctx.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
}

/** The violation messages a resource policy reports for `r`, in order. */
export async function resourceViolations(policy: ResourceValidationPolicy, r: TestResource, ctx: TestContext = {}): Promise<string[]> {
    const out: string[] = [];
    const report: ReportViolation = (message) => out.push(message);
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const v of validations) await v?.(resourceArgs(r, ctx), report);
    return out;
}

/** The violation messages a stack policy reports for a stack of `resources`, in order. */
export async function stackViolations(policy: StackValidationPolicy, resources: TestResource[], ctx: TestContext = {}): Promise<string[]> {
    const out: string[] = [];
    await policy.validateStack(stackArgs(resources, ctx), (message) => out.push(message));
    return out;
}

/** A deep copy of `value` with `change` applied: start from a compliant resource and change one field. */
export function variant<T>(value: T, change: (copy: T) => void): T {
    const copy = structuredClone(value);
    change(copy);
    return copy;
}
