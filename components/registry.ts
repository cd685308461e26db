import type { FaultDriver } from "./core/driver";
import { driver as containerKill } from "./docker/drivers/containerKill";
import { driver as containerPause } from "./docker/drivers/containerPause";
import { driver as containerRestart } from "./docker/drivers/containerRestart";
import { driver as containerStop } from "./docker/drivers/containerStop";
import { driver as networkDisconnect } from "./docker/drivers/networkDisconnect";
import { driver as processKill } from "./docker/drivers/processKill";
import { driver as resourceLimits } from "./docker/drivers/resourceLimits";

/**
 * Every fault driver, by kind. The reaper and `recover` revert a fault from its kind and record alone, so every
 * driver must be listed here. Drivers import nothing from @pulumi/pulumi: this module is bundled into reapers.
 */
export const drivers: Readonly<Record<string, FaultDriver<any, any>>> = Object.fromEntries(
    [networkDisconnect, containerKill, containerStop, containerRestart, containerPause, processKill, resourceLimits].map((d) => [d.kind, d as FaultDriver<any, any>]),
);

/** The driver for `kind`, or a clear error naming the kinds this build knows. */
export function driverFor(kind: string): FaultDriver<any, any> {
    const d = drivers[kind];
    if (!d) throw new Error(`unknown fault kind "${kind}"; this build knows: ${Object.keys(drivers).join(", ")}`);
    return d;
}
