import * as pulumi from "@pulumi/pulumi";
import type { PlannedTarget } from "./driver";
import type { FaultOwner } from "./labels";
import { moduleSpecifier } from "./modules";
import { providerStub, type ProviderStub } from "./providerStub";
import { StubbedResource } from "./stubbedResource";

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

/** The reaper host module of each target that needs one, as specifiers the provider resolves (core/modules.ts). */
export const REAPER_MODULES: Partial<Record<string, string>> = {
    docker: moduleSpecifier(require.resolve("../docker/reaper")),
};

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
export class FaultResource extends StubbedResource {
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
        super(faultProvider(moduleSpecifier(args.driverModule)), name, inputs, opts, "faultline", faultTypeName(args.kind));
    }
}

/** Where the real provider is (core/faultProvider.ts), as the specifier the stub in state resolves. */
const PROVIDER_MODULE: string = moduleSpecifier(require.resolve("./faultProvider"));

/** The stub of a driver's faults: the real provider (core/faultProvider.ts) with that driver, built in the provider's process. */
function faultProvider(driverModule: string): ProviderStub {
    return providerStub(PROVIDER_MODULE, "faultProviderFor", [driverModule, REAPER_MODULES], ["check", "diff", "read", "update", "delete"]);
}
