// One fault kind, defined once. A kind's file (components/<target>/faults/<kind>.ts) holds its spec schema and
// either its driver and one `defineFault` call, or (a kind made of its target's own Pulumi resources: Kubernetes
// objects, Chaos Mesh custom resources) the resources it declares and one `defineResourceFault` call. The registry
// (components/registry.ts) lists the definitions, and everything else is derived from that list: the experiment's
// kinds, the program's table, the exports, the reaper's and `recover`'s lookup, and the README's fault tables.
//
// This module, like every kind file, is free of @pulumi/* (type imports aside): the registry is bundled into the
// reapers (core/bundle.ts), which revert faults where Pulumi is not installed. The Pulumi component class of a kind
// is made from its definition by core/faultComponent.ts (resource kinds: core/resourceComponent.ts, which hands the
// kind its target's libraries), which only the program and the package's exports import.
import type { ComponentResource, ComponentResourceOptions } from "@pulumi/pulumi";
import type { z } from "zod";
import type { FaultOptions, FaultSpecSchema } from "./component";
import type { FaultDriver } from "./driver";
import type { FaultOwner } from "./labels";

/**
 * What kind of trouble a fault causes, which decides the resilience pattern that answers it in the recovery design
 * (runner/evidence/recoveryDesign.ts).
 */
export type FaultClass = "slow-dependency" | "dependency-outage" | "crash" | "resource-pressure" | "clock" | "dns" | "disk";

/** What {@link defineFault} takes. */
export interface FaultDefinitionInput<Spec, Rec, Fields extends object, C extends string = string, In = unknown> {
    /** The driver: kind, target, schema, describe, and the two-phase prepare/apply, revert and observe. */
    driver: FaultDriver<Spec, Rec, In>;
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
export interface FaultDefinition<Spec = any, Rec = any, Fields extends object = any, C extends string = string, In = any> extends FaultDefinitionInput<Spec, Rec, Fields, C, In> {
    /** `<target>:<fault>`, e.g. `docker:container-pause` (the driver's). */
    readonly kind: string;
    /** Where the fault lives (the driver's). */
    readonly target: FaultDriver["target"];
}

/** Defines a fault kind: its driver plus what its component and docs need (see the module comment). */
export function defineFault<Spec, Rec, C extends string, Fields extends object = {}, In = unknown>(
    def: FaultDefinitionInput<Spec, Rec, Fields, C, In>,
): FaultDefinition<Spec, Rec, Fields, C, In> {
    return { ...def, kind: def.driver.kind, target: def.driver.target };
}

/**
 * What a kind's `build` gets: the component (the parent of every child it makes), the validated spec and options,
 * a way to reject an arg before any child exists, and its target's Pulumi libraries. The libraries come in here,
 * not by import, so that a kind file stays free of @pulumi/* (see the module comment) while it declares its
 * resources in the same file as its schema.
 */
export interface ResourceContext<Spec, Lib> {
    /** The fault's component: pass it as `parent` of every child. */
    readonly parent: ComponentResource;
    /** The fault's name (children are named `<name>-<part>`). */
    readonly name: string;
    /** The validated spec, every default filled in. */
    readonly spec: Spec;
    /** The time-to-live in milliseconds. */
    readonly ttlMs: number;
    /** Who owns the fault (labels, lease). */
    readonly owner: FaultOwner;
    /** The component's options (its `dependsOn`: the stack's reaper, the environment). */
    readonly opts: ComponentResourceOptions | undefined;
    /** The target's Pulumi libraries, loaded by the component (e.g. components/kubernetes/lib.ts). */
    readonly lib: Lib;
    /** Rejects the args at `path` with `reason`, the same way an invalid field is rejected: before any child exists. */
    invalid(path: string, reason: string): never;
}

/** What a resource kind's `build` returns: its one-sentence description and its component's read-only fields. */
export type ResourceFields = { description: string } & Record<string, unknown>;

/** What {@link defineResourceFault} takes: the same component name, failure class and docs as a driver kind. */
export interface ResourceFaultInput<S extends FaultSpecSchema, K extends string, C extends string, Lib, F extends ResourceFields>
    extends Pick<FaultDefinitionInput<unknown, unknown, object, C>, "component" | "failureClass" | "up" | "revert" | "docs"> {
    /** `<target>:<fault>`, e.g. `kubernetes:pod-kill`. */
    kind: K;
    /** The spec schema (zod; every field with JSDoc: it is the component's args documentation). */
    schema: S;
    /** The kind file itself (`__filename`), so an unregistered kind file is found by the registry's test. */
    module: string;
    /** Declares the fault's resources under `ctx.parent` and returns the component's fields. */
    build: (ctx: ResourceContext<z.output<S>, Lib>) => F;
}

/** The targets whose kinds are resource kinds ({@link defineResourceFault}); AWS kinds are {@link defineAwsFault}'s. */
export type ResourceTarget = "kubernetes";

/**
 * A fault kind made of Pulumi resources of its target (Kubernetes objects and a lease, Chaos Mesh custom resources)
 * instead of one driver behind a dynamic provider. Its reverting is the target's: the in-cluster reaper deletes
 * what the lease lists, Chaos Mesh ends at the custom resource's duration.
 */
export interface ResourceFaultDefinition<S extends FaultSpecSchema = any, K extends string = string, C extends string = string, Lib = any, F extends ResourceFields = any>
    extends ResourceFaultInput<S, K, C, Lib, F> {
    /** Where the fault lives: the part of `kind` before the colon (only Kubernetes kinds are resource kinds yet). */
    readonly target: ResourceTarget;
    /** None: see {@link ResourceFaultDefinition}. */
    readonly driver?: undefined;
}

/** Defines a fault kind made of Pulumi resources (see {@link ResourceFaultDefinition}). */
export function defineResourceFault<S extends FaultSpecSchema, K extends `${ResourceTarget}:${string}`, C extends string, Lib, F extends ResourceFields>(
    def: ResourceFaultInput<S, K, C, Lib, F>,
): ResourceFaultDefinition<S, K, C, Lib, F> {
    return { ...def, target: def.kind.slice(0, def.kind.indexOf(":")) as ResourceTarget };
}

/** What {@link defineAwsFault} takes. */
export interface AwsFaultInput<S extends z.ZodType, K extends `aws:${string}`, C extends string, Lib>
    extends Pick<FaultDefinitionInput<unknown, unknown, object, C>, "component" | "up" | "revert" | "docs"> {
    /** `aws:<fault>`, e.g. `aws:fis-experiment`: the experiment entry's kind. */
    kind: K;
    /**
     * The experiment entry's spec (zod, free of @pulumi/*). It is refined and nested, so an entry is validated by it
     * as written, not reshaped (components/experiment.ts); the components validate their args again.
     */
    schema: S;
    /** The kind file itself (`__filename`), so an unregistered kind file is found by the registry's test. */
    module: string;
    /**
     * The driver that stops what this kind starts, if it starts anything (a FIS run): the reapers' and `recover`'s
     * lookup (`driverFor`) finds it by its own kind, the one its FaultResource records.
     */
    reverter?: FaultDriver<any, any>;
    /**
     * Declares the entry's components with `lib` (the AWS component classes, loaded on first use: @pulumi/aws takes
     * seconds to load) and returns the one the stack reports. An entry may make more than one (a template and its
     * run), and its components keep their own names and types: no wrapping component, so existing stacks' URNs hold.
     */
    build: (lib: Lib, name: string, args: z.input<S> & FaultOptions, opts?: ComponentResourceOptions) => ComponentResource & { description: string };
}

/**
 * An AWS fault kind: its components are its own Pulumi classes (FIS template, FIS run), built from `lib`. Three
 * things set it apart from a Kubernetes kind (docs/architecture.md): the template's owner kind
 * (`aws:fis-experiment-template`, on its tags) is not its entry's kind, one entry may make two components, and the
 * run's `templateId` takes a Pulumi Output, so the components' own schemas are wider than the entry's.
 */
export interface AwsFaultDefinition<S extends z.ZodType = any, K extends string = string, C extends string = string, Lib = any> extends AwsFaultInput<S, any, C, Lib> {
    readonly kind: K;
    /** Always "aws". */
    readonly target: "aws";
    /** None: what an AWS kind starts is stopped by its {@link AwsFaultInput.reverter}, not a driver of its own. */
    readonly driver?: undefined;
    /** None: one FIS template may hold any actions (stop instances, API errors, CPU stress), so no one class fits. */
    readonly failureClass?: undefined;
}

/** Defines an AWS fault kind (see {@link AwsFaultDefinition}). */
export function defineAwsFault<S extends z.ZodType, K extends `aws:${string}`, C extends string, Lib>(def: AwsFaultInput<S, K, C, Lib>): AwsFaultDefinition<S, K, C, Lib> {
    return { ...def, target: "aws" };
}

/** Any registered kind: a driver kind ({@link defineFault}), a resource kind ({@link defineResourceFault}) or an AWS kind. */
export type AnyFaultDefinition = FaultDefinition | ResourceFaultDefinition | AwsFaultDefinition;

/** The spec schema of any kind. */
export function schemaOf(def: AnyFaultDefinition): FaultSpecSchema {
    return (def.driver ? def.driver.schema : (def as ResourceFaultDefinition | AwsFaultDefinition).schema) as FaultSpecSchema;
}

/** The driver that reverts what a kind starts, if any: its own ({@link defineFault}) or an AWS kind's reverter. */
export function reverterOf(def: AnyFaultDefinition): FaultDriver<any, any> | undefined {
    if (def.driver) return def.driver;
    return def.target === "aws" ? def.reverter : undefined;
}
