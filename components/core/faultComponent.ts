// The Pulumi component class of a fault kind, made from its definition (core/defineFault.ts). Every fault component
// is written the same way: validate the args (the kind's schema plus the common options) before any child exists,
// one FaultResource child named `<name>-fault`, the validated spec and the kind's own fields as outputs, then
// registerOutputs last.
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { faultArgs, type FaultOptions, type FaultSpecSchema } from "./component";
import type { FaultDefinition } from "./defineFault";
import { FaultResource } from "./FaultResource";

/**
 * Arguments of a fault component: the kind's spec as written (each field documented on the kind's schema) plus the
 * common {@link FaultOptions} (`ttl`, `experiment`, `allowUnlabelledTargets`).
 */
export type FaultComponentArgs<D extends FaultDefinition> = z.input<D["driver"]["schema"]> & FaultOptions;

/** What every fault component exposes, plus the kind's own fields. */
export type FaultComponentOf<D extends FaultDefinition> = pulumi.ComponentResource & {
    /** The spec, as validated (with its defaults). */
    readonly spec: z.output<D["driver"]["schema"]>;
    /** What this fault breaks, in one sentence (shown by plans and previews). */
    readonly description: string;
    /** The revert record: everything the reaper, `destroy` and `recover` need to undo the fault. */
    readonly record: pulumi.Output<unknown>;
    /** When the reaper reverts the fault on its own (ISO 8601). */
    readonly expiresAt: pulumi.Output<string>;
} & (D extends FaultDefinition<any, any, infer F> ? Readonly<F> : {});

/** The class of a fault component: `new ContainerPause(name, args, opts)`. */
export interface FaultComponentClass<D extends FaultDefinition> {
    new (name: string, args: FaultComponentArgs<D>, opts?: pulumi.ComponentResourceOptions): FaultComponentOf<D>;
    /** The Pulumi type token, `faultline:<target>:<Component>`. */
    readonly type: string;
    /** The kind's definition. */
    readonly definition: D;
}

/** Makes the component class of `def` (cached: one class per kind, so `instanceof` holds across imports). */
export function faultComponent<D extends FaultDefinition>(def: D): FaultComponentClass<D> {
    const cached = classes.get(def);
    if (cached) return cached as FaultComponentClass<D>;
    const type = `faultline:${def.target}:${def.component}`;
    const cls = class extends pulumi.ComponentResource {
        static readonly type = type;
        static readonly definition = def;
        constructor(name: string, args: FaultComponentArgs<D>, opts?: pulumi.ComponentResourceOptions) {
            super(type, name, {}, opts);
            const { spec, ttlMs, owner, deferTargets } = faultArgs(def.driver.schema as unknown as FaultSpecSchema, args, type, name, def.kind);
            const fault = new FaultResource(`${name}-fault`, { driverModule: def.module, kind: def.kind, spec, owner, ttlMs, deferTargets }, { parent: this });
            const outputs: Record<string, unknown> = {
                spec,
                ...(def.fields ? def.fields(spec, owner) : {}),
                description: def.driver.describe(spec),
                record: fault.record,
                expiresAt: fault.expiresAt,
            };
            Object.assign(this, outputs);
            this.registerOutputs(outputs);
        }
    };
    Object.defineProperty(cls, "name", { value: def.component });
    classes.set(def, cls);
    return cls as unknown as FaultComponentClass<D>;
}

const classes = new Map<FaultDefinition, unknown>();
