import type * as pulumi from "@pulumi/pulumi";
import { BandwidthLimit } from "../components/docker/BandwidthLimit";
import { DnsFailure } from "../components/docker/DnsFailure";
import { Netem } from "../components/docker/Netem";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { PartialPartition } from "../components/docker/PartialPartition";
import { formatDuration } from "../components/core/duration";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";

/** The kind's own spec fields of a fault entry (without kind, name and ttl), keeping the kind's type. */
function specOf<F extends FaultSpec>(fault: F): Omit<F, "kind" | "name" | "ttl"> {
    const { kind, name, ttl, ...spec } = fault;
    return spec;
}

/** Creates the component for one fault of an experiment. */
function faultComponent(fault: FaultSpec, experiment: string): pulumi.ComponentResource & { description: string } {
    // The experiment schema already parsed `ttl` to milliseconds; components take the written form.
    const { name } = fault;
    const common = { ttl: formatDuration(fault.ttl), experiment };
    switch (fault.kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(name, { ...specOf(fault), ...common });
        case "docker:partial-partition":
            return new PartialPartition(name, { ...specOf(fault), ...common });
        case "docker:bandwidth":
            return new BandwidthLimit(name, { ...specOf(fault), ...common });
        case "docker:netem":
            return new Netem(name, { ...specOf(fault), ...common });
        case "docker:dns-failure":
            return new DnsFailure(name, { ...specOf(fault), ...common });
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
