// The dynamic provider behind every fault. Never serialized: the stub in state (core/providerStub.ts) loads this
// module by its specifier in the provider's own process and calls faultProviderFor, so the modules it imports are
// loaded there as code, not copied into every fault's state.
import type * as pulumi from "@pulumi/pulumi";
import type { DriverContext, FaultDriver } from "./driver";
import { toSpecIssues } from "./errors";
import type { FaultResourceInputs, FaultResourceOutputs, ReaperHost } from "./FaultResource";
import type { FaultOwner } from "./labels";
import { injectFault, revertFault, screenTargets } from "./lifecycle";
import { loadModule } from "./providerStub";

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
 * apply, observe and revert. The driver and the reaper host are loaded by path: a fault loads only its own kind.
 */
export class FaultProvider implements pulumi.dynamic.ResourceProvider<FaultResourceInputs, FaultResourceOutputs> {
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
        const screened = await screenTargets(driver, result.data, news.owner, providerContext(news.owner).warn);
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
        const { id, record, injectedAt, expiresAt } = await injectFault({
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
        await revertFault(driver, this.reaper(driver), id, props.record, providerContext(props.owner));
    }
}



/**
 * The provider of the faults of the driver in `driverModule`: what the stub in state calls in the provider's process,
 * and what callers that drive a fault without the engine use (the fault benchmark times exactly what `pulumi up` and
 * `destroy` run).
 */
export function faultProviderFor(driverModule: string, reaperModules: Partial<Record<string, string>>): FaultProvider {
    return new FaultProvider(driverModule, reaperModules);
}
