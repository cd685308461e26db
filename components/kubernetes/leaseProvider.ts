// The provider of a fault lease (FaultLease.ts), loaded by path in the dynamic provider's process by the stub that
// Pulumi stores in state (core/providerStub.ts).
import type * as pulumi from "@pulumi/pulumi";
import type { FaultLeaseInputs, FaultLeaseOutputs } from "./FaultLease";
import { kubeApi } from "./kubeApi";
import * as lease from "./lease";
import type { LeaseRecord } from "./lease";

/**
 * The dynamic provider of a lease, loaded by path in the provider's process (core/providerStub.ts).
 */
export class LeaseProvider implements pulumi.dynamic.ResourceProvider<FaultLeaseInputs, FaultLeaseOutputs> {
    private load() {
        return { lease, api: kubeApi() };
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


/** What the stub calls. */
export function leaseProvider(): LeaseProvider {
    return new LeaseProvider();
}
