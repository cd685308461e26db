import type * as pulumi from "@pulumi/pulumi";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { CpuStress } from "../components/docker/CpuStress";
import { MemoryStress } from "../components/docker/MemoryStress";
import { DiskFill } from "../components/docker/DiskFill";
import { ClockSkew } from "../components/docker/ClockSkew";
import { formatDuration } from "../components/core/duration";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";

/** A fault entry without the fields every entry has: what its component takes besides ttl and experiment. */
function specOf<F extends FaultSpec>(fault: F): Omit<F, "kind" | "name" | "ttl"> {
    const { kind: _kind, name: _name, ttl: _ttl, ...spec } = fault;
    return spec;
}

/** Creates the component for one fault of an experiment. */
function faultComponent(fault: FaultSpec, experiment: string): pulumi.ComponentResource & { description: string } {
    // The experiment schema already parsed `ttl` to milliseconds; components take the written form.
    const common = { ttl: formatDuration(fault.ttl), experiment };
    switch (fault.kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(fault.name, { ...specOf(fault), ...common });
        case "docker:cpu-stress":
            return new CpuStress(fault.name, { ...specOf(fault), ...common });
        case "docker:memory-stress":
            return new MemoryStress(fault.name, { ...specOf(fault), ...common });
        case "docker:disk-fill":
            return new DiskFill(fault.name, { ...specOf(fault), ...common });
        case "docker:clock-skew":
            return new ClockSkew(fault.name, { ...specOf(fault), ...common });
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
