// The provider of the experiment metadata resource (core/ExperimentMetadata.ts), loaded by path in the dynamic
// provider's process by the stub that Pulumi stores in state (core/providerStub.ts).
import type * as pulumi from "@pulumi/pulumi";
import type { ExperimentMetadataArgs } from "./ExperimentMetadata";
import type { ReaperHost } from "./FaultResource";
import { STANDBY_KIND } from "./labels";
import { loadModule } from "./providerStub";

/** The reaper's record of an experiment's standby: who owns it and its id. */
function standbyOf(project: string, stack: string, inputs: ExperimentMetadataArgs) {
    return { id: `standby/${project}/${stack}/${inputs.name}`, owner: { project, stack, experiment: inputs.name, fault: "", kind: STANDBY_KIND } };
}

/**
 * The provider carries metadata into Pulumi state and the policy pack; it never touches a target. Its only effect is
 * the Docker reaper standby (see `reaperStandbyMs`). Loaded by path in the provider's process
 * (core/providerStub.ts).
 */
export class ExperimentMetadataProvider implements pulumi.dynamic.ResourceProvider<ExperimentMetadataArgs, ExperimentMetadataArgs> {
    constructor(
        private readonly project: string,
        private readonly stack: string,
        private readonly reaperModule: string | undefined,
    ) {}

    private async standBy(inputs: ExperimentMetadataArgs): Promise<void> {
        if (!inputs.reaperStandbyMs || !this.reaperModule) return;
        const { id, owner } = standbyOf(this.project, this.stack, inputs);
        const reaper = loadModule(this.reaperModule).reaper as ReaperHost;
        await reaper.arm({ id, kind: STANDBY_KIND, record: null, owner, expiresAt: Date.now() + inputs.reaperStandbyMs });
    }

    async create(inputs: ExperimentMetadataArgs): Promise<pulumi.dynamic.CreateResult<ExperimentMetadataArgs>> {
        await this.standBy(inputs);
        return { id: `experiment/${inputs.name}`, outs: inputs };
    }

    async diff(id: string, olds: ExperimentMetadataArgs, news: ExperimentMetadataArgs): Promise<pulumi.dynamic.DiffResult> {
        return { changes: JSON.stringify(olds) !== JSON.stringify(news), replaces: olds.name !== news.name ? ["name"] : [] };
    }

    async update(id: string, olds: ExperimentMetadataArgs, news: ExperimentMetadataArgs): Promise<pulumi.dynamic.UpdateResult<ExperimentMetadataArgs>> {
        // An `up` that changes faults arms new ones: stand by again, for the new longest time-to-live.
        await this.standBy(news);
        return { outs: news };
    }

    async delete(id: string, props: ExperimentMetadataArgs): Promise<void> {
        // Otherwise only state: the standby goes, and the reaper retires once nothing else is armed in it.
        if (!props.reaperStandbyMs || !this.reaperModule) return;
        const { id: standbyId, owner } = standbyOf(this.project, this.stack, props);
        await (loadModule(this.reaperModule).reaper as ReaperHost).disarm(standbyId, owner);
    }
}


/** What the stub calls: the provider of `project`/`stack`, whose Docker reaper host is `reaperModule`. */
export function experimentMetadataProvider(project: string, stack: string, reaperModule: string | undefined): ExperimentMetadataProvider {
    return new ExperimentMetadataProvider(project, stack, reaperModule);
}
