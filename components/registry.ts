// The registry: every fault kind this build knows, one line each. Everything else is derived from this list: the
// experiment's kinds (components/experiment.ts), the program's table (stacks/program.ts), the exports
// (components/docker/index.ts, components/kubernetes/index.ts), the reapers' and `recover`'s lookup (`driverFor`),
// the recovery design's failure classes, and the README's fault tables (`npm run docs:faults`). A kind file under
// components/*/faults/ that is not listed here fails test/components/registry.unit.test.ts.
//
// Nothing here imports @pulumi/*: this module is bundled into the reapers (core/bundle.ts). Kubernetes kinds declare
// Pulumi resources, but get their libraries from their component (core/resourceComponent.ts), not by import.
import { fault as fisExperiment } from "./aws/faults/fisExperiment";
import { fault as fisExperimentRun } from "./aws/faults/fisExperimentRun";
import { reverterOf, type AnyFaultDefinition } from "./core/defineFault";
import type { FaultDriver } from "./core/driver";
import { fault as bandwidth } from "./docker/faults/bandwidth";
import { fault as clockSkew } from "./docker/faults/clockSkew";
import { fault as containerKill } from "./docker/faults/containerKill";
import { fault as containerPause } from "./docker/faults/containerPause";
import { fault as containerRestart } from "./docker/faults/containerRestart";
import { fault as containerStop } from "./docker/faults/containerStop";
import { fault as cpuStress } from "./docker/faults/cpuStress";
import { fault as dependencyDown } from "./docker/faults/dependencyDown";
import { fault as diskFill } from "./docker/faults/diskFill";
import { fault as dnsFailure } from "./docker/faults/dnsFailure";
import { fault as httpFault } from "./docker/faults/httpFault";
import { fault as ioStress } from "./docker/faults/ioStress";
import { fault as memoryStress } from "./docker/faults/memoryStress";
import { fault as netem } from "./docker/faults/netem";
import { fault as networkDisconnect } from "./docker/faults/networkDisconnect";
import { fault as partialPartition } from "./docker/faults/partialPartition";
import { fault as processKill } from "./docker/faults/processKill";
import { fault as resourceLimits } from "./docker/faults/resourceLimits";
import { fault as toxiproxyToxic } from "./docker/faults/toxiproxyToxic";
import { fault as dnsChaos } from "./kubernetes/faults/dnsChaos";
import { fault as ioChaos } from "./kubernetes/faults/ioChaos";
import { fault as networkChaos } from "./kubernetes/faults/networkChaos";
import { fault as networkPartition } from "./kubernetes/faults/networkPartition";
import { fault as nodeThrottle } from "./kubernetes/faults/nodeThrottle";
import { fault as podKill } from "./kubernetes/faults/podKill";
import { fault as stressChaos } from "./kubernetes/faults/stressChaos";
import { fault as timeChaos } from "./kubernetes/faults/timeChaos";

/** Every Docker fault kind, in the order the README's table lists them. */
export const DOCKER_FAULTS = [
    networkDisconnect,
    partialPartition,
    bandwidth,
    netem,
    dnsFailure,
    toxiproxyToxic,
    dependencyDown,
    httpFault,
    cpuStress,
    memoryStress,
    diskFill,
    ioStress,
    clockSkew,
    containerKill,
    containerStop,
    containerRestart,
    containerPause,
    processKill,
    resourceLimits,
] as const;

/** A Docker fault kind's definition. */
export type DockerFault = (typeof DOCKER_FAULTS)[number];

/** Every Kubernetes fault kind, in the order the README's table lists them. */
export const KUBERNETES_FAULTS = [
    networkPartition,
    podKill,
    nodeThrottle,
    networkChaos,
    stressChaos,
    timeChaos,
    dnsChaos,
    ioChaos,
] as const;

/** A Kubernetes fault kind's definition. */
export type KubernetesFault = (typeof KUBERNETES_FAULTS)[number];

/** Every AWS fault kind, in the order the README's table lists them. */
export const AWS_FAULTS = [fisExperiment, fisExperimentRun] as const;

/** An AWS fault kind's definition. */
export type AwsFault = (typeof AWS_FAULTS)[number];

/** Every registered kind, of every target. */
export const FAULTS: readonly AnyFaultDefinition[] = [...DOCKER_FAULTS, ...KUBERNETES_FAULTS, ...AWS_FAULTS];

/**
 * Every fault driver, by kind. The reaper and `recover` revert a fault from its kind and record alone, so every
 * driver is here (a Docker kind's own, an AWS run's reverter); kinds without one (Kubernetes: their target's own
 * resources, reaped in-cluster; an FIS template, which starts nothing) are not.
 */
export const drivers: Readonly<Record<string, FaultDriver<any, any>>> = Object.fromEntries(
    FAULTS.flatMap((f) => reverterOf(f) ?? []).map((d) => [d.kind, d]),
);

/** The driver for `kind`, or a clear error naming the kinds this build knows. */
export function driverFor(kind: string): FaultDriver<any, any> {
    const d = drivers[kind];
    if (!d) throw new Error(`unknown fault kind "${kind}"; this build knows: ${Object.keys(drivers).join(", ")}`);
    return d;
}
