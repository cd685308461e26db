import type * as pulumi from "@pulumi/pulumi";
import { ComposeStack } from "../components/docker/ComposeStack";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { formatDuration } from "../components/core/duration";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";

/**
 * Creates the component for one fault of an experiment. `fault` is the validated entry, used to pick the kind;
 * `raw` is the same entry as written, which is what the component gets: components parse their args themselves, and
 * zod transforms (durations, sizes) must not run twice.
 */
function faultComponent(
    fault: FaultSpec,
    raw: Record<string, unknown>,
    experiment: string,
    opts: pulumi.ComponentResourceOptions,
): pulumi.ComponentResource & { description: string } {
    const { kind: _kind, name: _name, ...spec } = raw;
    // ttl may come from an experiment-level default; the formatted value parses back to the same milliseconds.
    const args = { ...spec, ttl: formatDuration(fault.ttl), experiment } as never;
    switch (fault.kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(fault.name, args, opts);
    }
}

/**
 * Turns an experiment into its fault components and returns what the stack exports. `spec` is the validated
 * experiment; `raw` is the config as written (the same object before parsing).
 */
export function buildExperiment(spec: ExperimentSpec, raw: { faults: Record<string, unknown>[] }) {
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
