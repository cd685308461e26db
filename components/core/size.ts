import { z } from "zod";

const UNIT_BYTES: Record<string, number> = {
    b: 1,
    k: 1024,
    kb: 1000,
    kib: 1024,
    m: 1024 ** 2,
    mb: 1000 ** 2,
    mib: 1024 ** 2,
    g: 1024 ** 3,
    gb: 1000 ** 3,
    gib: 1024 ** 3,
    t: 1024 ** 4,
    tb: 1000 ** 4,
    tib: 1024 ** 4,
};

/**
 * Parses "512", "64MiB", "1.5GB", "200m" into bytes. Units are case-insensitive: B; KiB, MiB, GiB, TiB (powers of
 * 1024); KB, MB, GB, TB (powers of 1000); k, m, g, t as Docker writes them (powers of 1024).
 */
export function parseByteSize(text: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
    if (!m) return undefined;
    const unit = UNIT_BYTES[(m[2] ?? "").toLowerCase() || "b"];
    if (unit === undefined) return undefined;
    return Math.floor(Number(m[1]) * unit);
}

/** Formats bytes for messages, in the largest binary unit that keeps one decimal ("64MiB", "1.5GiB"). */
export function formatBytes(bytes: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let v = bytes;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}

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
