import type * as pulumi from "@pulumi/pulumi";
import { BandwidthLimit } from "../components/docker/BandwidthLimit";
import { DnsFailure } from "../components/docker/DnsFailure";
import { Netem } from "../components/docker/Netem";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { PartialPartition } from "../components/docker/PartialPartition";
import { DependencyDown } from "../components/docker/DependencyDown";
import { ToxiproxyToxic } from "../components/docker/ToxiproxyToxic";
import { formatDuration } from "../components/core/duration";
import { ExperimentMetadata, experimentMetadataArgs } from "../components/core/ExperimentMetadata";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";

/**
 * Creates the component for one fault of an experiment. `fault` is the validated entry, used to pick the kind;
 * `raw` is the same entry as written, which is what the component gets: components parse their args themselves, and
 * zod transforms (durations, sizes) must not run twice.
 */
function faultComponent(fault: FaultSpec, raw: Record<string, unknown>, experiment: string): pulumi.ComponentResource & { description: string } {
    const { kind: _kind, name: _name, ...spec } = raw;
    // ttl may come from an experiment-level default; the formatted value parses back to the same milliseconds.
    const args = { ...spec, ttl: formatDuration(fault.ttl), experiment } as never;
    const name = fault.name;
    switch (fault.kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(name, args);
        case "docker:partial-partition":
            return new PartialPartition(name, args);
        case "docker:bandwidth":
            return new BandwidthLimit(name, args);
        case "docker:netem":
            return new Netem(name, args);
        case "docker:dns-failure":
            return new DnsFailure(name, args);
        case "docker:toxiproxy-toxic":
            return new ToxiproxyToxic(name, args);
        case "docker:dependency-down":
            return new DependencyDown(name, args);
    }
}

/**
 * Turns an experiment into its fault components and returns what the stack exports. `spec` is the validated
 * experiment; `raw` is the config as written (the same object before parsing).
 */
export function buildExperiment(spec: ExperimentSpec, raw: { faults: Record<string, unknown>[] }) {
    // What the experiment declares about itself, for the policy pack's stack-wide checks.
    new ExperimentMetadata(spec.name, experimentMetadataArgs(spec));
    const faults = spec.faults.map((f, i) => faultComponent(f, raw.faults[i] ?? {}, spec.name));
    return {
        experiment: spec.name,
        faults: Object.fromEntries(spec.faults.map((f, i) => [f.name, { kind: f.kind, description: faults[i]!.description }])),
    };
}
