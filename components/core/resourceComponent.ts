// The Pulumi component class of a resource kind (core/defineFault.ts, defineResourceFault): the counterpart of
// faultComponent.ts for kinds made of their target's own Pulumi resources. Every such component is written the
// same way: validate the args (the kind's schema plus the common options) before any child exists, let the kind
// declare its children under the component, set its fields, then registerOutputs last.
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions } from "./component";
import type { ResourceFaultDefinition } from "./defineFault";

/** Arguments of a resource kind's component: its spec as written plus the common {@link FaultOptions}. */
export type ResourceComponentArgs<D extends ResourceFaultDefinition> = z.input<D["schema"]> & FaultOptions;

/** What a resource kind's component exposes: the fields its `build` returned. */
export type ResourceComponentOf<D extends ResourceFaultDefinition> = pulumi.ComponentResource & Readonly<ReturnType<D["build"]>>;

/** The Pulumi libraries a resource kind's `build` takes. */
export type LibOf<D extends ResourceFaultDefinition> = D extends ResourceFaultDefinition<any, any, any, infer L> ? L : never;

/** The class of a resource kind's component: `new PodKill(name, args, opts)`. */
export interface ResourceComponentClass<D extends ResourceFaultDefinition> {
    new (name: string, args: ResourceComponentArgs<D>, opts?: pulumi.ComponentResourceOptions): ResourceComponentOf<D>;
    /** The Pulumi type token, `faultline:<target>:<Component>`. */
    readonly type: string;
    /** The kind, e.g. `kubernetes:pod-kill`. */
    readonly kind: D["kind"];
    /** The kind's definition. */
    readonly definition: D;
}

/**
 * Makes the component class of `def`, whose `build` gets `lib()` (its target's Pulumi libraries, loaded when the
 * first component is built). Cached: one class per kind, so `instanceof` holds across imports.
 */
export function resourceComponent<D extends ResourceFaultDefinition>(def: D, lib: () => LibOf<D>): ResourceComponentClass<D> {
    const cached = classes.get(def);
    if (cached) return cached as ResourceComponentClass<D>;
    const type = `faultline:${def.target}:${def.component}`;
    const cls = class extends pulumi.ComponentResource {
        static readonly type = type;
        static readonly kind = def.kind;
        static readonly definition = def;
        constructor(name: string, args: ResourceComponentArgs<D>, opts?: pulumi.ComponentResourceOptions) {
            super(type, name, {}, opts);
            const { spec, ttlMs, owner } = faultArgs(def.schema, args, type, name, def.kind);
            const invalid = (path: string, reason: string): never => {
                throw new pulumi.InputPropertiesError({ message: `invalid arguments for ${type} "${name}":\n  - ${path}: ${reason}`, errors: [{ propertyPath: path, reason }] });
            };
            const fields = def.build({ parent: this, name, spec, ttlMs, owner, opts, lib: lib(), invalid });
            Object.assign(this, fields);
            // The children themselves are fields (e.g. `policy`) but not outputs: a component's outputs are values.
            this.registerOutputs(Object.fromEntries(Object.entries(fields).filter(([, v]) => !isResources(v))));
        }
    };
    Object.defineProperty(cls, "name", { value: def.component });
    classes.set(def, cls);
    return cls as unknown as ResourceComponentClass<D>;
}

/** A child resource, or a list of them (a field of the component, not an output). */
function isResources(v: unknown): boolean {
    return pulumi.Resource.isInstance(v) || (Array.isArray(v) && v.length > 0 && v.every((x) => pulumi.Resource.isInstance(x)));
}

const classes = new Map<ResourceFaultDefinition, unknown>();
