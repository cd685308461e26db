import type * as pulumi from "@pulumi/pulumi";
import { ContainerKill } from "../components/docker/ContainerKill";
import { ContainerPause } from "../components/docker/ContainerPause";
import { ContainerRestart } from "../components/docker/ContainerRestart";
import { ContainerStop } from "../components/docker/ContainerStop";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { ProcessKill } from "../components/docker/ProcessKill";
import { ResourceLimits } from "../components/docker/ResourceLimits";
import { formatDuration } from "../components/core/duration";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";

/** A fault entry without the experiment's own fields: the component's spec. */
function specOf<F extends FaultSpec>(fault: F): Omit<F, "kind" | "name" | "ttl"> {
    const { kind: _kind, name: _name, ttl: _ttl, ...spec } = fault;
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
        case "docker:container-kill":
            return new ContainerKill(name, { ...specOf(fault), ...common });
        case "docker:container-stop":
            return new ContainerStop(name, { ...specOf(fault), ...common });
        case "docker:container-restart":
            return new ContainerRestart(name, { ...specOf(fault), ...common });
        case "docker:container-pause":
            return new ContainerPause(name, { ...specOf(fault), ...common });
        case "docker:process-kill":
            return new ProcessKill(name, { ...specOf(fault), ...common });
        case "docker:resource-limits":
            return new ResourceLimits(name, { ...specOf(fault), ...common });
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
