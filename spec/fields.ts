// The field types every spec is written with: durations, sizes, ratios, names, regular expressions.
import { z } from "zod";
import { formatDuration, parseByteSize, parseDuration } from "./units";

/** No fault or window outlives a game day: the bound keeps a typo ("10h" for "10m") from arming a fault for days. */
const MAX_DURATION_MS = 24 * 3_600_000;

/**
 * A duration: a string such as "30s", "5m", "1h30m" or "750ms", or a number of MILLISECONDS. Parses to milliseconds.
 *
 * Why a number is milliseconds (it was seconds before): a parsed spec must parse again to itself. The experiment is
 * parsed once at the edge, and the same typed value then reaches the fault component and the provider's `check`,
 * which validate it again. When a number meant seconds going in and milliseconds coming out, every layer had to
 * carry the text as written beside the parsed value (`{spec, raw}` pairs). Milliseconds are what the parsed spec,
 * JavaScript's timers and `Date` use, so a value in the output is also a valid input meaning the same thing.
 *
 * `min` (milliseconds) is the shortest value accepted. Long windows (time-to-lives, fault windows, deadlines) set 1s:
 * a bare number below it is almost surely seconds written the old way, and the message says how to write it.
 */
export function duration(opts: { min?: number; what?: string } = {}) {
    const min = opts.min ?? 0;
    return z
        .union([z.string(), z.number()], { error: 'required: a duration such as "30s", "5m" or "1h", or a number of milliseconds' })
        .transform((v, ctx) => {
            const ms = typeof v === "number" ? v : parseDuration(v.trim());
            if (ms === undefined || !Number.isFinite(ms)) {
                ctx.addIssue({ code: "custom", message: `"${v}" is not a duration; write it like "30s", "5m", "1h30m" or "750ms"` });
                return z.NEVER;
            }
            if (ms <= 0) {
                ctx.addIssue({ code: "custom", message: "must be greater than zero" });
                return z.NEVER;
            }
            if (ms < min) {
                const fix = typeof v === "number" ? `a bare number is milliseconds; write "${v}s" for ${v} seconds` : `make it at least ${formatDuration(min)}`;
                ctx.addIssue({ code: "custom", message: `${formatDuration(ms)} is too short for ${opts.what ?? "this duration"} (at least ${formatDuration(min)}); ${fix}` });
                return z.NEVER;
            }
            if (ms > MAX_DURATION_MS) {
                ctx.addIssue({ code: "custom", message: `${formatDuration(ms)} is longer than 24h; no fault should outlive a game day` });
                return z.NEVER;
            }
            return ms;
        });
}

/** Any duration (see {@link duration}): e.g. latencies, timeouts, sample intervals. Parses to milliseconds. */
export const Duration = duration();

/**
 * A window of at least one second: time-to-lives, fault windows, recovery times and deadlines. A bare number is
 * milliseconds, so `ttl: 30` written for 30 seconds is refused with the fix (`"30s"`) rather than meaning 30 ms.
 */
export const LongDuration = duration({ min: 1000, what: "a time-to-live or window" });

/**
 * A time window that may be empty: 0, "0s", or any {@link Duration}. Parses to milliseconds.
 * Warm-up and cool-down windows may be skipped; fault windows and time-to-lives may not.
 */
export const Window = z
    .union([z.literal(0), z.literal("0"), z.literal("0s"), Duration], {
        error: 'a duration such as "5s" or "1m", a number of milliseconds, or 0 to skip this window',
    })
    .transform((v) => (typeof v === "number" ? v : v === "0" || v === "0s" ? 0 : v));

/**
 * A size in bytes: a whole number of bytes or a string with a unit ("64MiB", "1GB", "512k"). Parses to bytes.
 */
export const ByteSize = z
    .union([z.number(), z.string()], { error: 'a size: a number of bytes or a string such as "64MiB" or "1GB"' })
    .transform((v, ctx) => {
        const bytes = typeof v === "number" ? v : parseByteSize(v);
        if (bytes === undefined || !Number.isFinite(bytes) || !Number.isInteger(bytes)) {
            ctx.addIssue({ code: "custom", message: `"${v}" is not a size; write a whole number of bytes or e.g. "64MiB", "512k", "1GB"` });
            return z.NEVER;
        }
        if (bytes <= 0) {
            ctx.addIssue({ code: "custom", message: "must be greater than zero" });
            return z.NEVER;
        }
        return bytes;
    });

/**
 * A name used in resource names, labels and reports: lowercase letters, digits and dashes, like a DNS label.
 * `example` goes into the message so the user sees a name that would work where they wrote theirs.
 */
export function slugName(what: string, example: string) {
    return z
        .string({ error: `required: a name for this ${what} (e.g. ${example})` })
        .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, `use lowercase letters, digits and dashes (like a DNS label), e.g. ${example}`);
}

/**
 * A fraction: a number between 0 and 1 (0.05), or a percentage string ("5%"). Parses to the fraction.
 */
export const Ratio = z
    .union([z.number(), z.string()], { error: 'a fraction between 0 and 1 (e.g. 0.05) or a percentage (e.g. "5%")' })
    .transform((v, ctx) => {
        let n: number;
        if (typeof v === "number") n = v;
        else {
            const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
            n = m ? Number(m[1]) / 100 : NaN;
        }
        if (!Number.isFinite(n) || n < 0 || n > 1) {
            ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a fraction; write a number between 0 and 1 (e.g. 0.05) or a percentage (e.g. "5%")` });
            return z.NEVER;
        }
        return n;
    });

/** A JavaScript regular expression given as a string, checked to compile. */
export const RegexString = z
    .string()
    .min(1, "must not be empty")
    .refine((r) => {
        try {
            new RegExp(r);
            return true;
        } catch {
            return false;
        }
    }, "is not a valid JavaScript regular expression");

/** True for loopback hosts: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
    const h = host.replace(/^\[|\]$/g, "").toLowerCase();
    return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A Kubernetes namespace name (DNS-1123 label). */
export const Namespace = z
    .string({ error: "required: the namespace the fault acts in" })
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "is not a namespace name: lowercase letters, digits and '-', at most 63");

/**
 * A spec check that exactly one of two optional fields is given (e.g. `bytes` or `percent`): the issue names the
 * first field, with `message` saying what to write.
 */
export function exactlyOneOf<T extends object>(first: keyof T & string, second: keyof T & string, message: string) {
    return (spec: T, ctx: z.RefinementCtx): void => {
        if ((spec[first] === undefined) === (spec[second] === undefined)) ctx.addIssue({ code: "custom", path: [first], message });
    };
}

/** An http:// or https:// URL; `example` completes the message, e.g. "http://127.0.0.1:3000". */
export function httpUrl(what: string, example: string) {
    return z.string({ error: `required: ${what}, e.g. ${example}` }).refine((u) => {
        try {
            return ["http:", "https:"].includes(new URL(u).protocol);
        } catch {
            return false;
        }
    }, `must be an http:// or https:// URL of ${what}, e.g. ${example}`);
}
