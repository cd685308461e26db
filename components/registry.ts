import { driver as fisExperimentRun } from "./aws/drivers/fisExperiment";
import type { FaultDriver } from "./core/driver";
import { driver as resourceLimits } from "./docker/drivers/resourceLimits";
import { driver as processKill } from "./docker/drivers/processKill";
import { driver as containerPause } from "./docker/drivers/containerPause";
import { driver as containerRestart } from "./docker/drivers/containerRestart";
import { driver as containerStop } from "./docker/drivers/containerStop";
import { driver as containerKill } from "./docker/drivers/containerKill";
import { driver as clockSkew } from "./docker/drivers/clockSkew";
import { driver as diskFill } from "./docker/drivers/diskFill";
import { driver as memoryStress } from "./docker/drivers/memoryStress";
import { driver as cpuStress } from "./docker/drivers/cpuStress";
import { driver as bandwidth } from "./docker/drivers/bandwidth";
import { driver as dependencyDown } from "./docker/drivers/dependencyDown";
import { driver as dnsFailure } from "./docker/drivers/dnsFailure";
import { driver as netem } from "./docker/drivers/netem";
import { driver as networkDisconnect } from "./docker/drivers/networkDisconnect";
import { driver as partialPartition } from "./docker/drivers/partialPartition";
import { driver as toxiproxyToxic } from "./docker/drivers/toxiproxyToxic";

/**
 * Every fault driver, by kind. The reaper and `recover` revert a fault from its kind and record alone, so every
 * driver must be listed here. Drivers import nothing from @pulumi/pulumi: this module is bundled into reapers.
 */
export const drivers: Readonly<Record<string, FaultDriver<any, any>>> = Object.fromEntries(
    [
        networkDisconnect,
        partialPartition,
        bandwidth,
        netem,
        dnsFailure,
        toxiproxyToxic,
        dependencyDown,
        cpuStress,
        memoryStress,
        diskFill,
        clockSkew,
        fisExperimentRun,
        containerKill,
        containerStop,
        containerRestart,
        containerPause,
        processKill,
        resourceLimits,
    ].map((d) => [d.kind, d as FaultDriver<any, any>]),
);

/** The driver for `kind`, or a clear error naming the kinds this build knows. */
export function driverFor(kind: string): FaultDriver<any, any> {
    const d = drivers[kind];
    if (!d) throw new Error(`unknown fault kind "${kind}"; this build knows: ${Object.keys(drivers).join(", ")}`);
    return d;
}
