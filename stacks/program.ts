import type * as pulumi from "@pulumi/pulumi";
import { DependencyDown } from "../components/docker/DependencyDown";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { ToxiproxyToxic } from "../components/docker/ToxiproxyToxic";
import { formatDuration } from "../components/core/duration";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";

/** An experiment entry without the entry's own fields: the spec its component takes (per variant of a union). */
type SpecOf<F> = F extends unknown ? Omit<F, "kind" | "name" | "ttl"> : never;

function specOf<F extends FaultSpec>(fault: F): SpecOf<F> {
    const { kind, name, ttl, ...spec } = fault;
    return spec as SpecOf<F>;
}

/** Creates the component for one fault of an experiment. */
function faultComponent(fault: FaultSpec, experiment: string): pulumi.ComponentResource & { description: string } {
    // The experiment schema already parsed `ttl` to milliseconds; components take the written form.
    const common = { ttl: formatDuration(fault.ttl), experiment };
    switch (fault.kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(fault.name, { ...specOf(fault), ...common });
        case "docker:toxiproxy-toxic":
            return new ToxiproxyToxic(fault.name, { ...specOf(fault), ...common });
        case "docker:dependency-down":
            return new DependencyDown(fault.name, { ...specOf(fault), ...common });
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
