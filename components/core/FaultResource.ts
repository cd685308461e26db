import * as pulumi from "@pulumi/pulumi";
import type { DriverContext, FaultDriver, PlannedTarget } from "./driver";
import { toSpecIssues } from "./errors";
import type { FaultOwner } from "./labels";
import { moduleSpecifier } from "./modules";

/** Inputs of a FaultResource as the engine stores them. */
export interface FaultResourceInputs {
    kind: string;
    spec: unknown;
    owner: FaultOwner;
    /** Time-to-live in milliseconds: the reaper reverts the fault this long after injection. */
    ttlMs: number;
    /** What the fault will hit, resolved by the driver's `plan` at check time (absent if it has none). */
    targets?: PlannedTarget[];
    /**
     * The stack itself creates the targets (an `environment.compose` sandbox the fault depends on), so at `check`
     * they may not exist yet: the target checks are left to `create`, which runs after the sandbox is up. Absent
     * (never false) otherwise, so other stacks' inputs are unchanged.
     */
    deferTargets?: true;
}

/** Outputs: the inputs plus the revert record, when the fault went in, and when its reaper fires. */
export interface FaultResourceOutputs extends FaultResourceInputs {
    record: unknown;
    injectedAt: string;
    expiresAt: string;
}

/** A fault handed to a reaper: everything it needs to revert the fault on its own. */
export interface ArmedFault {
    /** The Pulumi resource id of the fault; reapers are found by it. */
    id: string;
    kind: string;
    record: unknown;
    owner: FaultOwner;
    /** When to revert, in epoch milliseconds. */
    expiresAt: number;
    /** Docker reapers: network mode, when the driver needs more than the engine's socket (see FaultDriver). */
    networkMode?: string;
}

/** Where a target's reapers live. One module per target exports `reaper` with this shape. */
export interface ReaperHost {
    /** Starts a reaper that reverts `fault` at `fault.expiresAt` even if every faultline process is gone. */
    arm(fault: ArmedFault): Promise<void>;
    /** Stops guarding fault `id` of `owner`'s stack; a no-op when nothing guards it (its reaper already fired). */
    disarm(id: string, owner: FaultOwner): Promise<void>;
    /**
     * Optional: starts any slow one-time preparation (bundling the reaper program) ahead of the first `arm`. The
     * TTL clock starts before `arm`, so time spent there is time the reaper is late by.
     */
    warm?(): void;
}

/**
 * Loads a driver module inside the dynamic provider's own process. `modulePath` is a location-free specifier
 * (core/modules.ts: `faultline:<path>`), resolved against the faultline package found from the working directory
 * (the Pulumi project: this repository itself, or its node_modules/faultline), compiled dist/ first; or an absolute
 * path (a user's own driver, and state written before specifiers). That process is a plain `node` that never ran
 * ts-node, so a TypeScript module (this repository without a build) needs ts-node registered first. Kept free of
 * imports because Pulumi serializes it into state.
 */
export function loadModule(modulePath: string): any {
    let file = modulePath;
    if (modulePath.startsWith("faultline:")) {
        const fs = require("node:fs") as typeof import("node:fs");
        const path = require("node:path") as typeof import("node:path");
        const rel = modulePath.slice("faultline:".length);
        let root = process.env.FAULTLINE_PACKAGE_ROOT;
        for (let d = process.cwd(); !root; d = path.dirname(d)) {
            const own = path.join(d, "package.json");
            if (fs.existsSync(own) && (JSON.parse(fs.readFileSync(own, "utf8")) as { name?: string }).name === "faultline") root = d;
            else if (fs.existsSync(path.join(d, "node_modules", "faultline", "package.json"))) root = path.join(d, "node_modules", "faultline");
            else if (path.dirname(d) === d) throw new Error(`cannot load ${modulePath}: no faultline package at or above ${process.cwd()}; install it in the Pulumi project (npm install faultline)`);
        }
        const js = path.join(root, "dist", `${rel}.js`);
        file = fs.existsSync(js) ? js : path.join(root, `${rel}.ts`);
    }
    if (file.endsWith(".ts")) {
        const g = globalThis as { __faultlineTsNode?: boolean };
        if (!g.__faultlineTsNode) {
            require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
            g.__faultlineTsNode = true;
        }
    }
    return require(file);
}

/**
 * The inputs whose change replaces a fault: it cannot be edited in place, so a changed kind, time-to-live or spec
 * means revert the old one, then inject the new. Shared by `diff` and by `check`, which checks targets only for a
 * fault about to be injected.
 */
function replacedFields(olds: Pick<FaultResourceInputs, "kind" | "ttlMs" | "spec">, news: Pick<FaultResourceInputs, "kind" | "ttlMs" | "spec">): string[] {
    const replaces: string[] = [];
    if (olds.kind !== news.kind) replaces.push("kind");
    if (olds.ttlMs !== news.ttlMs) replaces.push("ttlMs");
    if (JSON.stringify(olds.spec) !== JSON.stringify(news.spec)) replaces.push("spec");
    return replaces;
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
 * The dynamic provider behind every fault: a thin adapter from Pulumi's CRUD calls to one driver's prepare and
 * apply, observe and revert. It holds only the driver's module path, so what Pulumi serializes into state stays small.
 */
class FaultProvider implements pulumi.dynamic.ResourceProvider<FaultResourceInputs, FaultResourceOutputs> {
    constructor(
        private readonly driverModule: string,
        private readonly reaperModules: Partial<Record<string, string>>,
    ) {}

    private driver(): FaultDriver {
        return loadModule(this.driverModule).driver as FaultDriver;
    }

    /** The reaper host of the driver's target, if that target needs one (Chaos Mesh and FIS carry their own). */
    private reaper(driver: FaultDriver): ReaperHost | undefined {
        const modulePath = this.reaperModules[driver.target];
        return modulePath ? (loadModule(modulePath).reaper as ReaperHost) : undefined;
    }

    async check(olds: FaultResourceInputs, news: FaultResourceInputs): Promise<pulumi.dynamic.CheckResult<FaultResourceInputs>> {
        const driver = this.driver();
        // `check` runs before any create in the same provider process: a good moment to get the reaper ready.
        this.reaper(driver)?.warm?.();
        const result = driver.schema.safeParse(news.spec);
        if (!result.success) {
            return {
                failures: toSpecIssues(result.error.issues, "spec").map((i) => ({ property: i.path, reason: i.message })),
            };
        }
        // The targets first: "no such container" is the answer, before any other check or policy has its say. Only
        // for a fault about to be injected: one already in state that diff will not replace is not injected again,
        // and its targets are in the state it put them in (a disconnected container is no longer attached).
        const inState = olds?.kind !== undefined && replacedFields(olds, { ...news, spec: result.data }).length === 0;
        const missing = driver.checkTargets && !inState ? await driver.checkTargets(result.data) : [];
        if (missing.length > 0) {
            // Targets the stack creates itself (its sandbox) are checked at create, after the sandbox is up.
            if (news.deferTargets) return { inputs: { ...news, spec: result.data } };
            return { failures: missing.map((i) => ({ property: i.path, reason: i.message })) };
        }
        // Live checks (a kernel feature, a binary in the target) fail the preview, never a half-done `up`.
        const issues = driver.preflight ? await driver.preflight(result.data) : [];
        if (issues.length > 0) return { failures: issues.map((i) => ({ property: i.path, reason: i.message })) };
        const inputs: FaultResourceInputs = { ...news, spec: result.data };
        // The target screen runs here at preview and again in create (core/lifecycle.ts), right before inject.
        const screened = await lifecycle().screenTargets(driver, result.data, news.owner, providerContext(news.owner).warn);
        if (screened.targets) inputs.targets = screened.targets;
        if (screened.issues.length > 0) return { failures: screened.issues.map((i) => ({ property: i.path, reason: i.message })) };
        return { inputs };
    }

    async diff(id: string, olds: FaultResourceOutputs, news: FaultResourceInputs): Promise<pulumi.dynamic.DiffResult> {
        const replaces = replacedFields(olds, news);
        const ownerChanged = JSON.stringify(olds.owner) !== JSON.stringify(news.owner);
        return { changes: replaces.length > 0 || ownerChanged, replaces, deleteBeforeReplace: true };
    }

    async create(inputs: FaultResourceInputs): Promise<pulumi.dynamic.CreateResult<FaultResourceOutputs>> {
        // The sequence (halt lever, target screen, prepare → reaper armed → apply) is shared with withFault.
        const driver = this.driver();
        const { id, record, injectedAt, expiresAt } = await lifecycle().injectFault({
            driver,
            reaper: this.reaper(driver),
            kind: inputs.kind,
            spec: inputs.spec,
            owner: inputs.owner,
            ttlMs: inputs.ttlMs,
            report: providerContext(inputs.owner),
        });
        const outs = { ...inputs, record, injectedAt: new Date(injectedAt).toISOString(), expiresAt: new Date(expiresAt).toISOString() };
        return { id, outs };
    }

    async read(id: string, props?: FaultResourceOutputs): Promise<pulumi.dynamic.ReadResult<FaultResourceOutputs>> {
        // `pulumi refresh`: a fault reverted outside Pulumi (by its reaper, or by hand) is gone from the target,
        // so it is reported gone here too and the engine drops it from state.
        // Its reaper goes with it: the fault it guards is gone, and a reaper left behind would sit on the target
        // until the TTL with nothing to do (destroy, which would remove it, never sees a dropped resource).
        if (!props) return {};
        const driver = this.driver();
        const seen = await driver.observe(props.record);
        if (!seen.active) {
            // Its reaper has nothing left to do, and the fault leaves state here, so no later destroy would disarm it.
            await this.reaper(driver)?.disarm(id, props.owner);
            return {};
        }
        return { id, props };
    }

    async update(id: string, olds: FaultResourceOutputs, news: FaultResourceInputs): Promise<pulumi.dynamic.UpdateResult<FaultResourceOutputs>> {
        // Only the owner metadata can change without a replace; the fault on the target is untouched.
        return { outs: { ...olds, owner: news.owner } };
    }

    async delete(id: string, props: FaultResourceOutputs): Promise<void> {
        const driver = this.driver();
        await lifecycle().revertFault(driver, this.reaper(driver), id, props.record, providerContext(props.owner));
    }
}

/** Arguments of a FaultResource: the driver to use and the already-validated spec. */
export interface FaultResourceArgs {
    /**
     * Absolute path of the module that exports the `driver` (use `require.resolve("./drivers/x")`); a module of this
     * package is stored in state as its location-free specifier (core/modules.ts).
     */
    driverModule: string;
    kind: string;
    /** The parsed spec (faultArgs' `spec`): the provider's check validates it again with the driver's schema. */
    spec: pulumi.Input<unknown>;
    owner: FaultOwner;
    /** Time-to-live in milliseconds (already parsed from the fault's `ttl`). */
    ttlMs: number;
    /** The stack creates the targets (its sandbox): see {@link FaultResourceInputs.deferTargets}. */
    deferTargets?: boolean;
}

/**
 * The shared inject and revert sequence (core/lifecycle.ts), loaded by path in the provider's process like the
 * drivers, so what Pulumi serializes into state is a path, not that module's code and its imports.
 */
export const LIFECYCLE_MODULE: string = moduleSpecifier(require.resolve("./lifecycle"));

function lifecycle(): typeof import("./lifecycle") {
    return loadModule(LIFECYCLE_MODULE);
}

/** The reaper host module of each target that needs one, as specifiers the provider resolves (core/modules.ts). */
export const REAPER_MODULES: Partial<Record<string, string>> = {
    docker: moduleSpecifier(require.resolve("../docker/reaper")),
};

/**
 * The provider behind faults of the driver in `driverModule`, for callers that drive it without the engine (the
 * fault benchmark times exactly what `pulumi up` and `destroy` run).
 */
export function faultProvider(driverModule: string): Required<Pick<pulumi.dynamic.ResourceProvider<FaultResourceInputs, FaultResourceOutputs>, "check" | "create" | "delete" | "read">> {
    return new FaultProvider(driverModule, REAPER_MODULES);
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
    declare readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: FaultResourceArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs = {
            kind: args.kind,
            spec: args.spec,
            owner: args.owner,
            ttlMs: args.ttlMs,
            ...(args.deferTargets ? { deferTargets: true } : {}),
            record: undefined,
            injectedAt: undefined,
            expiresAt: undefined,
        };
        super(sharedProvider(moduleSpecifier(args.driverModule)), name, inputs, opts, "faultline", faultTypeName(args.kind));
    }
}

/**
 * One provider object per driver module, shared by every fault of that driver: Pulumi serializes a provider object's
 * code once per object (it caches by identity), so a provider per fault would serialize the same closure again for
 * every fault (about 15 ms each, 1.1 s at 50 faults).
 */
function sharedProvider(driverModule: string): FaultProvider {
    let p = providers.get(driverModule);
    if (!p) providers.set(driverModule, (p = new FaultProvider(driverModule, REAPER_MODULES)));
    return p;
}

const providers = new Map<string, FaultProvider>();
