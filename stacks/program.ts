import type * as pulumi from "@pulumi/pulumi";
import { ComposeStack } from "../components/docker/ComposeStack";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { formatDuration } from "../components/core/duration";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";

/** Creates the component for one fault of an experiment. */
function faultComponent(
    fault: FaultSpec,
    experiment: string,
    opts: pulumi.ComponentResourceOptions,
): pulumi.ComponentResource & { description: string } {
    // The experiment schema already parsed `ttl` to milliseconds; components take the written form.
    const { kind, name, ttl, ...spec } = fault;
    const common = { ttl: formatDuration(ttl), experiment };
    switch (kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(name, { ...spec, ...common }, opts);
    }
}

/** Turns an experiment spec into its fault components and returns what the stack exports. */
export function buildExperiment(spec: ExperimentSpec) {
    // The environment comes first: faults depend on it, so they go in after it is healthy and out before it goes.
    const compose = spec.environment?.compose;
    const sandbox = compose
        ? new ComposeStack("sandbox", { ...compose, waitTimeout: formatDuration(compose.waitTimeout) })
        : undefined;
    const faults = spec.faults.map((f) => faultComponent(f, spec.name, sandbox ? { dependsOn: [sandbox] } : {}));
    return {
        experiment: spec.name,
        faults: Object.fromEntries(spec.faults.map((f, i) => [f.name, { kind: f.kind, description: faults[i]!.description }])),
        sandbox: sandbox ? { projectName: sandbox.projectName, containers: sandbox.containers } : undefined,
    };
}
