import * as pulumi from "@pulumi/pulumi";
import type { DriverContext, FaultDriver } from "./driver";
import { toSpecIssues } from "./errors";
import type { FaultOwner } from "./labels";

/** Inputs of a FaultResource as the engine stores them. */
export interface FaultResourceInputs {
    kind: string;
    spec: unknown;
    owner: FaultOwner;
}

/** Outputs: the inputs plus the revert record and when the fault went in. */
export interface FaultResourceOutputs extends FaultResourceInputs {
    record: unknown;
    injectedAt: string;
}

/**
 * Loads a driver module inside the dynamic provider's own process. That process is a plain `node` that never ran
 * ts-node, so a TypeScript driver (this repository, run from source) needs ts-node registered first; a compiled
 * driver (the package as published) loads directly. Kept free of imports because Pulumi serializes it into state.
 */
function loadDriver(modulePath: string): FaultDriver {
    if (modulePath.endsWith(".ts")) {
        const g = globalThis as { __faultlineTsNode?: boolean };
        if (!g.__faultlineTsNode) {
            require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
            g.__faultlineTsNode = true;
        }
    }
    return require(modulePath).driver as FaultDriver;
}

/** The driver context inside a provider: diagnostics go to stderr, which the engine shows with the resource. */
function providerContext(owner: FaultOwner): DriverContext {
    return {
        owner,
        warn: (message) => console.error(`warning: ${message}`),
        info: (message) => console.error(message),
    };
}

/**
 * The dynamic provider behind every fault: a thin adapter from Pulumi's CRUD calls to one driver's inject, observe
 * and revert. It holds only the driver's module path, so what Pulumi serializes into state stays small.
 */
class FaultProvider implements pulumi.dynamic.ResourceProvider<FaultResourceInputs, FaultResourceOutputs> {
    constructor(private readonly driverModule: string) {}

    async check(olds: FaultResourceInputs, news: FaultResourceInputs): Promise<pulumi.dynamic.CheckResult<FaultResourceInputs>> {
        const driver = loadDriver(this.driverModule);
        const result = driver.schema.safeParse(news.spec);
        if (result.success) return { inputs: { ...news, spec: result.data } };
        return {
            failures: toSpecIssues(result.error.issues, "spec").map((i) => ({ property: i.path, reason: i.message })),
        };
    }

    async diff(id: string, olds: FaultResourceOutputs, news: FaultResourceInputs): Promise<pulumi.dynamic.DiffResult> {
        // A fault cannot be edited in place: a changed spec or kind means revert the old one, then inject the new.
        const replaces: string[] = [];
        if (olds.kind !== news.kind) replaces.push("kind");
        if (JSON.stringify(olds.spec) !== JSON.stringify(news.spec)) replaces.push("spec");
        const ownerChanged = JSON.stringify(olds.owner) !== JSON.stringify(news.owner);
        return { changes: replaces.length > 0 || ownerChanged, replaces, deleteBeforeReplace: true };
    }

    async create(inputs: FaultResourceInputs): Promise<pulumi.dynamic.CreateResult<FaultResourceOutputs>> {
        const driver = loadDriver(this.driverModule);
        const record = await driver.inject(inputs.spec, providerContext(inputs.owner));
        const id = `${inputs.kind}/${inputs.owner.stack}/${inputs.owner.fault}/${Date.now().toString(36)}`;
        return { id, outs: { ...inputs, record, injectedAt: new Date().toISOString() } };
    }

    async read(id: string, props?: FaultResourceOutputs): Promise<pulumi.dynamic.ReadResult<FaultResourceOutputs>> {
        // `pulumi refresh`: a fault reverted outside Pulumi (by its reaper, or by hand) is gone from the target,
        // so it is reported gone here too and the engine drops it from state.
        if (!props) return {};
        const driver = loadDriver(this.driverModule);
        const seen = await driver.observe(props.record);
        if (!seen.active) return {};
        return { id, props };
    }

    async update(id: string, olds: FaultResourceOutputs, news: FaultResourceInputs): Promise<pulumi.dynamic.UpdateResult<FaultResourceOutputs>> {
        // Only the owner metadata can change without a replace; the fault on the target is untouched.
        return { outs: { ...olds, owner: news.owner } };
    }

    async delete(id: string, props: FaultResourceOutputs): Promise<void> {
        const driver = loadDriver(this.driverModule);
        await driver.revert(props.record, providerContext(props.owner));
    }
}

/** Arguments of a FaultResource: the driver to use and the already-validated spec. */
export interface FaultResourceArgs {
    /** Absolute path of the module that exports the `driver` (use `require.resolve("./drivers/x")`). */
    driverModule: string;
    kind: string;
    spec: pulumi.Input<unknown>;
    owner: FaultOwner;
}

/** `docker:network-disconnect` → `DockerNetworkDisconnect`, so each kind has its own type token for policies. */
export function faultTypeName(kind: string): string {
    return kind
        .split(/[:-]/)
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join("");
}

/**
 * One injected fault as a Pulumi resource: `up` injects it, `destroy` reverts it, `refresh` observes it. Fault
 * components create one of these as a child; users normally do not construct it directly.
 */
export class FaultResource extends pulumi.dynamic.Resource {
    declare readonly kind: pulumi.Output<string>;
    declare readonly spec: pulumi.Output<unknown>;
    declare readonly record: pulumi.Output<unknown>;
    declare readonly injectedAt: pulumi.Output<string>;

    constructor(name: string, args: FaultResourceArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs = { kind: args.kind, spec: args.spec, owner: args.owner, record: undefined, injectedAt: undefined };
        super(new FaultProvider(args.driverModule), name, inputs, opts, "faultline", faultTypeName(args.kind));
    }
}
