import type * as pulumi from "@pulumi/pulumi";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { formatDuration } from "../components/core/duration";
import { ExperimentMetadata, experimentMetadataArgs } from "../components/core/ExperimentMetadata";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";

/** Creates the component for one fault of an experiment. */
function faultComponent(fault: FaultSpec, experiment: string): pulumi.ComponentResource & { description: string } {
    // The experiment schema already parsed `ttl` to milliseconds; components take the written form.
    const { kind, name, ttl, ...spec } = fault;
    const common = { ttl: formatDuration(ttl), experiment };
    switch (kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(name, { ...spec, ...common });
    }
}

/** Turns an experiment spec into its fault components and returns what the stack exports. */
export function buildExperiment(spec: ExperimentSpec) {
    // What the experiment declares about itself, for the policy pack's stack-wide checks.
    new ExperimentMetadata(spec.name, experimentMetadataArgs(spec));
    const faults = spec.faults.map((f) => faultComponent(f, spec.name));
    return {
        experiment: spec.name,
        faults: Object.fromEntries(spec.faults.map((f, i) => [f.name, { kind: f.kind, description: faults[i]!.description }])),
    };
}
