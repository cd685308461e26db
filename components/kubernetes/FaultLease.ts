import * as pulumi from "@pulumi/pulumi";
import { providerStub } from "../core/providerStub";
import { StubbedResource } from "../core/stubbedResource";
import { moduleSpecifier } from "../core/modules";
import type { FaultOwner } from "../core/labels";
import type { LeaseRecord, NodeChange, ObjectRef } from "./lease";

/** Inputs of a {@link FaultLease}. */
export interface FaultLeaseInputs {
    /** Namespace the lease ConfigMap lives in. */
    namespace: string;
    owner: FaultOwner;
    /** Time-to-live in milliseconds, counted from the moment the lease is written. */
    ttlMs: number;
    /** Objects the fault creates. */
    objects: ObjectRef[];
    /** Nodes the fault changes (their `before` is read when the lease is written). */
    nodes: Omit<NodeChange, "before">[];
}

/** Outputs: the inputs plus the record stored in the cluster. */
export interface FaultLeaseOutputs extends FaultLeaseInputs {
    record: LeaseRecord;
    /**
     * When the lease was armed (ISO 8601): the fault's objects go in right after it, so the runner counts the fault
     * as in from here (a pod kill happens inside `up`, seconds before it returns).
     */
    injectedAt: string;
}

/**
 * A Kubernetes fault's lease as a Pulumi resource (see lease.ts). Fault components create it first and make every
 * object of the fault depend on it, so the lease (the reaper's knowledge of the fault) is in the cluster before the
 * fault is, and `destroy` reverts through it last. Depend the lease itself on the stack's {@link Reaper}.
 */
export class FaultLease extends StubbedResource {
    declare readonly record: pulumi.Output<LeaseRecord>;

    constructor(name: string, args: { [K in keyof FaultLeaseInputs]: pulumi.Input<FaultLeaseInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
        super(
            providerStub(moduleSpecifier(require.resolve("./leaseProvider")), "leaseProvider", [], ["diff", "read", "delete"]),
            name,
            { ...args, record: undefined },
            opts,
            "faultline",
            "KubernetesFaultLease",
        );
    }
}


/**
 * Creates a fault component's lease as its first child, after whatever the component itself depends on (the
 * stack's reaper): make every object of the fault depend on the returned lease.
 */
export function leaseFor(
    parent: pulumi.ComponentResource,
    name: string,
    args: { namespace: string; owner: FaultOwner; ttlMs: number; objects: ObjectRef[]; nodes?: Omit<NodeChange, "before">[] },
    opts?: pulumi.ComponentResourceOptions,
): FaultLease {
    return new FaultLease(`${name}-lease`, { ...args, nodes: args.nodes ?? [] }, { parent, ...(opts?.dependsOn ? { dependsOn: opts.dependsOn } : {}) });
}
