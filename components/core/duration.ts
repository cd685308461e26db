import { z } from "zod";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Parses "500ms", "10s", "5m", "1h30m" (units ms, s, m, h; parts largest first) into milliseconds. */
export function parseDuration(text: string): number | undefined {
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
    let total = 0;
    let matched = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
        total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
        matched = re.lastIndex;
    }
    return matched === text.length && matched > 0 ? total : undefined;
}

/** Formats milliseconds back into the shortest of the same notation, for messages and labels. */
export function formatDuration(ms: number): string {
    if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
    if (ms % 60_000 === 0) return `${ms / 60_000}m`;
    if (ms % 1000 === 0) return `${ms / 1000}s`;
    return `${ms}ms`;
}

/**
 * A duration: a string such as "30s", "5m", "1h30m" or "750ms", or a number of seconds. Parses to milliseconds.
 * The bound keeps a typo ("10h" for "10m") from arming a fault for days; the policy pack sets the real limit.
 */
export const Duration = z
    .union([z.string(), z.number()], { error: 'required: a duration such as "30s", "5m" or "1h", or a number of seconds' })
    .transform((v, ctx) => {
        const ms = typeof v === "number" ? v * 1000 : parseDuration(v.trim());
        if (ms === undefined || !Number.isFinite(ms)) {
            ctx.addIssue({ code: "custom", message: `"${v}" is not a duration; write it like "30s", "5m", "1h30m" or "750ms"` });
            return z.NEVER;
        }
        if (ms <= 0) {
            ctx.addIssue({ code: "custom", message: "must be greater than zero" });
            return z.NEVER;
        }
        if (ms > 24 * 3_600_000) {
            ctx.addIssue({ code: "custom", message: `${formatDuration(ms)} is longer than 24h; no fault should outlive a game day` });
            return z.NEVER;
        }
        return ms;
    });
