// Units: durations and sizes, parsed and formatted. The one place either notation is read.
//
// This module imports nothing (not even zod) because the policy pack (policies/, its own package with its own
// node_modules) imports it too: the pack reads durations the faults and Chaos Mesh objects carry with the same
// parser the experiment spec uses. The zod schemas built on these functions are in ./fields.ts.

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

/** Parses an ISO 8601 duration as AWS FIS writes it ("PT5M", "P1DT2H", "PT0.5S") into milliseconds. */
export function parseIsoDuration(text: string): number | undefined {
    const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
    if (!m || /^P$/i.test(text.trim()) || /T$/i.test(text.trim())) return undefined;
    const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
    return Math.round(((d * 24 + h) * 60 + min) * 60_000 + s * 1000);
}

/** `ms` as the ISO 8601 duration FIS takes ("PT5M", "PT1H30M", "PT45S"), rounded up to whole seconds. */
export function isoDuration(ms: number): string {
    let s = Math.ceil(ms / 1000);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s || (!h && !m) ? `${s}S` : ""}`;
}

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
