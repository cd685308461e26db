// One fault kind, defined once. A kind's file (components/<target>/faults/<kind>.ts) holds its spec schema, its
// driver and one `defineFault` call; the registry (components/registry.ts) lists the definitions, and everything
// else is derived from that list: the experiment's kinds, the program's table, the exports, the reaper's and
// `recover`'s lookup, and the README's fault table.
//
// This module, like every kind file, is free of @pulumi/pulumi: the registry is bundled into the reapers
// (core/bundle.ts), which revert faults where Pulumi is not installed. The Pulumi component class of a kind is
// made from its definition by core/faultComponent.ts, which only the program and the package's exports import.
import type { FaultDriver } from "./driver";
import type { FaultOwner } from "./labels";

/**
 * What kind of trouble a fault causes, which decides the resilience pattern that answers it in the recovery design
 * (runner/evidence/recoveryDesign.ts).
 */
export type FaultClass = "slow-dependency" | "dependency-outage" | "crash" | "resource-pressure" | "clock" | "dns" | "disk";

/** What {@link defineFault} takes. */
export interface FaultDefinitionInput<Spec, Rec, Fields extends object, C extends string = string> {
    /** The driver: kind, target, schema, describe, and the two-phase prepare/apply, revert and observe. */
    driver: FaultDriver<Spec, Rec>;
    /** The Pulumi component class users construct, e.g. "ContainerPause" (type `faultline:<target>:<component>`). */
    component: C;
    /** What kind of trouble the fault causes: the recovery design picks its pattern by it. */
    failureClass: FaultClass;
    /** The README's fault table, column `up`: what injecting does to the target, in a few words. */
    up: string;
    /** The README's fault table, column `destroy` / TTL: what reverting does. */
    revert: string;
    /** The README's fault table, column Docs: a Markdown link to the kind's page (or "below"). */
    docs: string;
    /**
     * The kind file itself (`__filename`): the dynamic provider loads the driver from it in its own process, so
     * what Pulumi serializes into state is a path, not the driver's code.
     */
    module: string;
    /** Extra read-only fields of the component besides `spec`, `description`, `record` and `expiresAt`. */
    fields?: (spec: Spec, owner: FaultOwner) => Fields;
}

/** A fault kind as the registry holds it. */
export interface FaultDefinition<Spec = any, Rec = any, Fields extends object = any, C extends string = string> extends FaultDefinitionInput<Spec, Rec, Fields, C> {
    /** `<target>:<fault>`, e.g. `docker:container-pause` (the driver's). */
    readonly kind: string;
    /** Where the fault lives (the driver's). */
    readonly target: FaultDriver["target"];
}

/** Defines a fault kind: its driver plus what its component and docs need (see the module comment). */
export function defineFault<Spec, Rec, C extends string, Fields extends object = {}>(
    def: FaultDefinitionInput<Spec, Rec, Fields, C>,
): FaultDefinition<Spec, Rec, Fields, C> {
    return { ...def, kind: def.driver.kind, target: def.driver.target };
}
