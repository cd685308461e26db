import * as pulumi from "@pulumi/pulumi";
import { loadModule } from "../core/FaultResource";
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
 * The dynamic provider of a lease. It holds only module paths, so what Pulumi serializes into state stays small;
 * the modules are loaded inside the provider's own process (see loadModule).
 */
class LeaseProvider implements pulumi.dynamic.ResourceProvider<FaultLeaseInputs, FaultLeaseOutputs> {
    constructor(
        private readonly leaseModule: string,
        private readonly apiModule: string,
    ) {}

    private load() {
        return { lease: loadModule(this.leaseModule) as typeof import("./lease"), api: (loadModule(this.apiModule) as typeof import("./kubeApi")).kubeApi() };
    }

    async create(inputs: FaultLeaseInputs): Promise<pulumi.dynamic.CreateResult<FaultLeaseOutputs>> {
        const { lease, api } = this.load();
        // An `up` killed after arming left a lease whose `before` is the node as it really was: keep that one,
        // since the node may now carry this very fault.
        const earlier = (await lease.listLeases(api, inputs.owner.stack)).find((l) => l.namespace === inputs.namespace && l.record.owner.fault === inputs.owner.fault);
        const nodes = (await lease.nodesBefore(api, inputs.nodes, inputs.owner.allowUnlabelledTargets === true)).map((n) => ({
            ...n,
            before: earlier?.record.nodes.find((o) => o.node === n.node)?.before ?? n.before,
        }));
        const record: LeaseRecord = { owner: inputs.owner, expiresAt: Date.now() + inputs.ttlMs, objects: inputs.objects, nodes };
        const ref = await lease.armLease(api, inputs.namespace, record);
        return { id: `${ref.namespace}/${ref.name}`, outs: { ...inputs, record, injectedAt: new Date().toISOString() } };
    }

    async diff(_id: string, olds: FaultLeaseOutputs, news: FaultLeaseInputs): Promise<pulumi.dynamic.DiffResult> {
        const fields = ["namespace", "owner", "ttlMs", "objects", "nodes"] as const;
        const replaces = fields.filter((f) => JSON.stringify(olds[f]) !== JSON.stringify(news[f]));
        return { changes: replaces.length > 0, replaces, deleteBeforeReplace: true };
    }

    async read(id: string, props?: FaultLeaseOutputs): Promise<pulumi.dynamic.ReadResult<FaultLeaseOutputs>> {
        // `pulumi refresh`: a lease the reaper released means the fault is reverted; it leaves state.
        if (!props) return {};
        const { lease, api } = this.load();
        const found = (await lease.listLeases(api, props.owner.stack)).some((l) => `${l.namespace}/${l.name}` === id);
        return found ? { id, props } : {};
    }

    async delete(_id: string, props: FaultLeaseOutputs): Promise<void> {
        // Runs after the provider deleted the fault's objects (they depend on the lease): the same revert as the
        // reaper's, which finds those gone and restores what a patch's removal cannot (the node's own taints).
        const { lease, api } = this.load();
        await lease.revertLease(api, props.namespace, props.record);
    }
}

/**
 * A Kubernetes fault's lease as a Pulumi resource (see lease.ts). Fault components create it first and make every
 * object of the fault depend on it, so the lease (the reaper's knowledge of the fault) is in the cluster before the
 * fault is, and `destroy` reverts through it last. Depend the lease itself on the stack's {@link Reaper}.
 */
export class FaultLease extends pulumi.dynamic.Resource {
    declare readonly record: pulumi.Output<LeaseRecord>;

    constructor(name: string, args: { [K in keyof FaultLeaseInputs]: pulumi.Input<FaultLeaseInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
        super(
            new LeaseProvider(moduleSpecifier(require.resolve("./lease")), moduleSpecifier(require.resolve("./kubeApi"))),
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
