import { z } from "zod";
import { Duration } from "./duration";

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

/**
 * A time window that may be empty: 0, "0s", or any {@link Duration}. Parses to milliseconds.
 * Warm-up and cool-down windows may be skipped; fault windows and time-to-lives may not.
 */
export const Window = z.union([z.literal(0), z.literal("0"), z.literal("0s"), Duration], {
    error: 'a duration such as "5s" or "1m", a number of seconds, or 0 to skip this window',
}).transform((v) => (typeof v === "number" ? v : v === "0" || v === "0s" ? 0 : v));

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size: a number of bytes, or a string such as "256MiB", "1.5GB", "512kb". Parses to bytes. */
export const Bytes = z
    .union([z.number(), z.string()], { error: 'a size such as "256MiB" or "1GB", or a number of bytes' })
    .transform((v, ctx) => {
        let n: number;
        if (typeof v === "number") n = v;
        else {
            const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)?\s*$/.exec(v);
            const unit = (m?.[2] ?? "b").toLowerCase();
            n = m && BYTE_UNITS[unit] !== undefined ? Number(m[1]) * BYTE_UNITS[unit]! : NaN;
        }
        if (!Number.isFinite(n) || n <= 0) {
            ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a size; write it like "256MiB", "1GB" or a number of bytes` });
            return z.NEVER;
        }
        return Math.round(n);
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
