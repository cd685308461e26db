import { z } from "zod";
import { chaosSpec, ChaosInContainers, describeSelector, GoDuration, defineChaosMeshFault } from "../chaosMesh";

/** Spec of a Chaos Mesh TimeChaos: shift the clock the selected pods' processes see. */
export const TimeChaosSpec = chaosSpec(ChaosInContainers, {
    /** How far to shift the clock, e.g. "-10m" (back) or "2h" (forward). */
    timeOffset: GoDuration,
    /** Clocks to shift. Defaults to Chaos Mesh's choice (CLOCK_REALTIME). */
    clockIds: z
        .array(z.enum(["CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE", "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME"]))
        .min(1)
        .optional(),
});
export type TimeChaosSpec = z.infer<typeof TimeChaosSpec>;

/**
 * Chaos Mesh TimeChaos: the selected pods see a clock shifted by `timeOffset` (certificate expiry, token lifetimes,
 * cron jobs), for `duration` (default: ttl).
 *
 * ```ts
 * new TimeChaos("api-clock-skew", { selector: { namespace: "shop", labels: { app: "api" } }, timeOffset: "-10m", ttl: "5m" });
 * ```
 */
export const fault = defineChaosMeshFault({
    kind: "kubernetes:time-chaos",
    component: "TimeChaos",
    chaosKind: "TimeChaos",
    schema: TimeChaosSpec,
    failureClass: "clock",
    up: "Chaos Mesh TimeChaos: the selected pods' clocks shifted by an offset",
    module: __filename,
    body: (s) => ({
        spec: {
            timeOffset: s.timeOffset,
            ...(s.clockIds ? { clockIds: s.clockIds } : {}),
        },
        description: `shift the clock by ${s.timeOffset} on ${describeSelector(s.selector)}`,
    }),
});
