// The registry: every fault kind this build knows, one line each. Everything else is derived from this list: the
// experiment's kinds (components/experiment.ts), the program's table (stacks/program.ts), the exports
// (components/docker/index.ts), the reapers' and `recover`'s lookup (`driverFor`), and the README's fault table
// (`npm run docs:faults`). A kind file under components/*/faults/ that is not listed here fails
// test/components/registry.unit.test.ts.
//
// Nothing here imports @pulumi/pulumi: this module is bundled into the reapers (core/bundle.ts).
import { driver as fisExperimentRun } from "./aws/drivers/fisExperiment";
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

/**
 * Every fault driver, by kind. The reaper and `recover` revert a fault from its kind and record alone, so every
 * driver is here; kinds without a driver (Kubernetes: Pulumi's own resources, reaped in-cluster) are not.
 */
export const drivers: Readonly<Record<string, FaultDriver<any, any>>> = Object.fromEntries(
    [...DOCKER_FAULTS.map((f) => f.driver), fisExperimentRun].map((d) => [d.kind, d as FaultDriver<any, any>]),
);

/** The driver for `kind`, or a clear error naming the kinds this build knows. */
export function driverFor(kind: string): FaultDriver<any, any> {
    const d = drivers[kind];
    if (!d) throw new Error(`unknown fault kind "${kind}"; this build knows: ${Object.keys(drivers).join(", ")}`);
    return d;
}
