import type * as pulumi from "@pulumi/pulumi";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";

/** Creates the component for one fault of an experiment. */
function faultComponent(fault: FaultSpec, experiment: string): pulumi.ComponentResource & { description: string } {
    const { kind, name, ...spec } = fault;
    switch (kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(name, { ...spec, experiment });
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
