/** One sample of a probe. */
export interface ProbeResult {
    /** True when the sample met every assertion of the probe. */
    ok: boolean;
    /** How long the sample took, in milliseconds. */
    latencyMs: number;
    /** A number the probe measured (a count, a CPU percentage, a status code), when it has one. */
    value?: number;
    /** One line for humans: what was seen, or why it failed. */
    detail: string;
}

/** A probe ready to sample. */
export interface Probe {
    readonly name: string;
    readonly kind: string;
    /** Takes one sample. Never throws: a failure is a sample with `ok: false`. Bounded by the probe's timeout. */
    sample(): Promise<ProbeResult>;
    /** Releases connections the probe keeps between samples. */
    close(): void;
}

/** Milliseconds since `start` (a performance.now() value), rounded to 0.1 ms. */
export function since(start: number): number {
    return Math.round((performance.now() - start) * 10) / 10;
}

/** The message of an error, with a timeout named as such. */
export function errorDetail(err: unknown, timeoutMs: number): string {
    const e = err as { name?: string; code?: string; message?: string };
    if (e?.name === "TimeoutError" || e?.name === "AbortError" || e?.code === "ETIMEDOUT") return `timed out after ${timeoutMs} ms`;
    return e?.code ? `${e.code}: ${e.message ?? ""}`.trim() : String(e?.message ?? err);
}

/**
 * A probe whose sample times one call and judges what it returned: the shape every probe shares (never throws; a
 * failed call is a failed sample naming its error, a timeout as such), written once. `failed` words an error the
 * probe knows better (e.g. "no container"); `close` releases what the probe keeps between samples.
 */
export function timedProbe<T>(
    spec: { name: string; kind: string; timeout: number },
    call: () => Promise<T>,
    judge: (value: T, latencyMs: number) => ProbeResult,
    opts: { failed?: (err: unknown) => string | undefined; close?: () => void } = {},
): Probe {
    return {
        name: spec.name,
        kind: spec.kind,
        async sample(): Promise<ProbeResult> {
            const start = performance.now();
            try {
                const value = await call();
                return judge(value, since(start));
            } catch (err) {
                return { ok: false, latencyMs: since(start), detail: opts.failed?.(err) ?? errorDetail(err, spec.timeout) };
            }
        },
        close: opts.close ?? (() => undefined),
    };
}
