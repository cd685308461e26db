import type * as pulumi from "@pulumi/pulumi";
import { ExperimentMetadata, experimentMetadataArgs } from "../components/core/ExperimentMetadata";
import { ComposeStack } from "../components/docker/ComposeStack";
import { formatDuration } from "../components/core/duration";
import { CpuStress } from "../components/docker/CpuStress";
import { MemoryStress } from "../components/docker/MemoryStress";
import { DiskFill } from "../components/docker/DiskFill";
import { ClockSkew } from "../components/docker/ClockSkew";
import { BandwidthLimit } from "../components/docker/BandwidthLimit";
import { DependencyDown } from "../components/docker/DependencyDown";
import { DnsFailure } from "../components/docker/DnsFailure";
import { Netem } from "../components/docker/Netem";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { PartialPartition } from "../components/docker/PartialPartition";
import { ToxiproxyToxic } from "../components/docker/ToxiproxyToxic";
import type { ExperimentSpec, FaultKind, FaultSpec } from "../components/experiment";

/** A fault component class: every one takes (name, args) and says what it breaks. */
type FaultComponent = new (name: string, args: never, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource & { description: string };

/** The component of every fault kind. Adding a kind is one line here and one in components/experiment.ts. */
const COMPONENTS: Record<FaultKind, FaultComponent> = {
    "docker:network-disconnect": NetworkDisconnect,
    "docker:partial-partition": PartialPartition,
    "docker:bandwidth": BandwidthLimit,
    "docker:netem": Netem,
    "docker:dns-failure": DnsFailure,
    "docker:toxiproxy-toxic": ToxiproxyToxic,
    "docker:dependency-down": DependencyDown,
    "docker:cpu-stress": CpuStress,
    "docker:memory-stress": MemoryStress,
    "docker:disk-fill": DiskFill,
    "docker:clock-skew": ClockSkew,
};

/**
 * Creates the component for one fault of an experiment. `fault` is the validated entry, used to pick the kind;
 * `raw` is the same entry as written, which is what the component gets: components parse their args themselves, and
 * zod transforms (durations, sizes) must not run twice.
 */
function faultComponent(fault: FaultSpec, raw: Record<string, unknown>, experiment: string, opts: pulumi.ComponentResourceOptions) {
    const { kind: _kind, name: _name, ...spec } = raw;
    // ttl may come from an experiment-level default; the formatted value parses back to the same milliseconds.
    const args = { ...spec, ttl: formatDuration(fault.ttl), experiment } as never;
    return new COMPONENTS[fault.kind](fault.name, args, opts);
}

/**
 * Turns an experiment into its fault components and returns what the stack exports. `spec` is the validated
 * experiment; `raw` is the config as written (the same object before parsing).
 */
export function buildExperiment(spec: ExperimentSpec, raw: { faults: Record<string, unknown>[] }) {
    // What the experiment declares about itself, for the policy pack's stack-wide checks.
    new ExperimentMetadata(spec.name, experimentMetadataArgs(spec));
    // The environment comes first: faults depend on it, so they go in after it is healthy and out before it goes.
    const compose = spec.environment?.compose;
    const sandbox = compose
        ? new ComposeStack("sandbox", { ...compose, waitTimeout: formatDuration(compose.waitTimeout) })
        : undefined;
    const deps: pulumi.ComponentResourceOptions = sandbox ? { dependsOn: [sandbox] } : {};
    const faults = spec.faults.map((f, i) => faultComponent(f, raw.faults[i] ?? {}, spec.name, deps));
    return {
        experiment: spec.name,
        faults: Object.fromEntries(spec.faults.map((f, i) => [f.name, { kind: f.kind, description: faults[i]!.description }])),
        sandbox: sandbox ? { projectName: sandbox.projectName, containers: sandbox.containers } : undefined,
    };
}
