// The provider of a Compose project (ComposeStack.ts), loaded by path in the dynamic provider's process by the stub
// that Pulumi stores in state (core/providerStub.ts).
import type * as pulumi from "@pulumi/pulumi";
import { checkComposeFile, composeDown, composeUp, projectContainers } from "./compose";
import type { ComposeProjectInputs, ComposeProjectOutputs } from "./ComposeStack";

/**
 * The dynamic provider of a Compose project: create = `up --wait`, update = `up --wait` again (Compose reconciles),
 * delete = `down -v --remove-orphans`, read = the project's containers. Loaded by path in the provider's process
 * (core/providerStub.ts).
 */
export class ComposeProvider implements pulumi.dynamic.ResourceProvider<ComposeProjectInputs, ComposeProjectOutputs> {
    async check(olds: ComposeProjectInputs, news: ComposeProjectInputs): Promise<pulumi.dynamic.CheckResult<ComposeProjectInputs>> {
        const issues = await checkComposeFile(news.spec);
        if (issues.length > 0) return { failures: issues.map((i) => ({ property: i.path, reason: i.message })) };
        return { inputs: news };
    }

    async diff(id: string, olds: ComposeProjectOutputs, news: ComposeProjectInputs): Promise<pulumi.dynamic.DiffResult> {
        const replaces = olds.spec.projectName !== news.spec.projectName ? ["spec.projectName"] : [];
        const changed = replaces.length > 0 || olds.hash !== news.hash || JSON.stringify(olds.spec) !== JSON.stringify(news.spec);
        // The old project goes first: a new copy would collide with its published ports.
        return { changes: changed, replaces, deleteBeforeReplace: true };
    }

    async create(inputs: ComposeProjectInputs): Promise<pulumi.dynamic.CreateResult<ComposeProjectOutputs>> {
        const containers = await composeUp(inputs.spec);
        return { id: inputs.spec.projectName, outs: { ...inputs, containers } };
    }

    async read(id: string, props?: ComposeProjectOutputs): Promise<pulumi.dynamic.ReadResult<ComposeProjectOutputs>> {
        // `pulumi refresh`: a project taken down outside Pulumi has no containers left, and is dropped from state.
        if (!props) return {};
        const containers = await projectContainers(props.spec.projectName);
        if (containers.length === 0) return {};
        return { id, props: { ...props, containers } };
    }

    async update(id: string, olds: ComposeProjectOutputs, news: ComposeProjectInputs): Promise<pulumi.dynamic.UpdateResult<ComposeProjectOutputs>> {
        const containers = await composeUp(news.spec);
        return { outs: { ...news, containers } };
    }

    async delete(id: string, props: ComposeProjectOutputs): Promise<void> {
        await composeDown(props.spec.projectName);
    }
}


/** What the stub calls. */
export function composeProvider(): ComposeProvider {
    return new ComposeProvider();
}
