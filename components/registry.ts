import type { FaultDriver } from "./core/driver";
import { driver as fisExperimentRun } from "./aws/drivers/fisExperiment";
import { driver as networkDisconnect } from "./docker/drivers/networkDisconnect";

/**
 * Every fault driver, by kind. The reaper and `recover` revert a fault from its kind and record alone, so every
 * driver must be listed here. Drivers import nothing from @pulumi/pulumi: this module is bundled into reapers.
 */
export const drivers: Readonly<Record<string, FaultDriver<any, any>>> = Object.fromEntries(
    [networkDisconnect, fisExperimentRun].map((d) => [d.kind, d as FaultDriver<any, any>]),
);

/** The driver for `kind`, or a clear error naming the kinds this build knows. */
export function driverFor(kind: string): FaultDriver<any, any> {
    const d = drivers[kind];
    if (!d) throw new Error(`unknown fault kind "${kind}"; this build knows: ${Object.keys(drivers).join(", ")}`);
    return d;
}
