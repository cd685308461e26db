import type * as pulumi from "@pulumi/pulumi";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { formatDuration } from "../components/core/duration";
import type { ExperimentFault, ExperimentSpec } from "../components/experiment";

/** Creates the component for one fault of an experiment. */
function faultComponent(fault: ExperimentFault, experiment: string): pulumi.ComponentResource & { description: string } {
    // The experiment schema already parsed `ttl` to milliseconds; components take the written form. `expect` is
    // the runner's business, not the component's.
    const { kind, name, ttl, expect: _expect, ...spec } = fault;
    const common = { ttl: formatDuration(ttl), experiment };
    switch (kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(name, { ...spec, ...common });
    }
}

/** Turns an experiment spec into its fault components and returns what the stack exports. */
export function buildExperiment(spec: ExperimentSpec) {
    const faults = spec.faults.map((f) => faultComponent(f, spec.name));
    return {
        experiment: spec.name,
        faults: Object.fromEntries(spec.faults.map((f, i) => [f.name, { kind: f.kind, description: faults[i]!.description }])),
    };
}
