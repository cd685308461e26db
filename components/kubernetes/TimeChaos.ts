import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ChaosCommon, ChaosMeshFault, ContainerNames, describeSelector, GoDuration, type ChaosMeshArgs } from "./chaosMesh";

/** Spec of a Chaos Mesh TimeChaos: shift the clock the selected pods' processes see. */
export const TimeChaosSpec = z
    .object({
        ...ChaosCommon,
        /** How far to shift the clock, e.g. "-10m" (back) or "2h" (forward). */
        timeOffset: GoDuration,
        /** Clocks to shift. Defaults to Chaos Mesh's choice (CLOCK_REALTIME). */
        clockIds: z
            .array(z.enum(["CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE", "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME"]))
            .min(1)
            .optional(),
        /** Containers whose clock shifts; all when left out. */
        containerNames: ContainerNames.optional(),
    })
    .strict();
export type TimeChaosSpec = z.infer<typeof TimeChaosSpec>;

/** Arguments of {@link TimeChaos}. */
export interface TimeChaosArgs extends ChaosMeshArgs {
    /** Clock shift in Go notation: "-10m", "1h30m". */
    timeOffset: string;
    /** Clocks to shift (default CLOCK_REALTIME). */
    clockIds?: string[];
    /** Containers whose clock shifts; all when left out. */
    containerNames?: string[];
}

/**
 * Chaos Mesh TimeChaos: the selected pods see a clock shifted by `timeOffset` (certificate expiry, token lifetimes,
 * cron jobs), for `duration` (default: ttl).
 *
 * ```ts
 * new TimeChaos("api-clock-skew", { selector: { namespace: "shop", labels: { app: "api" } }, timeOffset: "-10m", ttl: "5m" });
 * ```
 */
export class TimeChaos extends ChaosMeshFault {
    static readonly type = "faultline:kubernetes:TimeChaos";
    static readonly kind = "kubernetes:time-chaos";

    constructor(name: string, args: TimeChaosArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TimeChaos.type, "TimeChaos", TimeChaos.kind, TimeChaosSpec, name, args, (s: TimeChaosSpec) => ({
            spec: {
                timeOffset: s.timeOffset,
                ...(s.clockIds ? { clockIds: s.clockIds } : {}),
                ...(s.containerNames ? { containerNames: s.containerNames } : {}),
            },
            description: `shift the clock by ${s.timeOffset} on ${describeSelector(s.selector)}`,
        }), opts);
    }
}
