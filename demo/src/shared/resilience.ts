// Resilience primitives of the demo system: timeouts, retries with exponential backoff and (optional) full jitter.
// The demo's weaknesses are written with the same helpers and a weaker policy, so the difference is visible in one
// place (see docs/demo.md).

/** A call that did not finish within its budget. */
export class TimeoutError extends Error {
    override name = "TimeoutError";
    constructor(
        readonly what: string,
        readonly ms: number,
    ) {
        super(`${what} timed out after ${ms} ms`);
    }
}

/** Rejects with a TimeoutError when `promise` has not settled after `ms`. The timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
        timer.unref?.();
        promise.then(
            (v) => {
                clearTimeout(timer);
                resolve(v);
            },
            (e: unknown) => {
                clearTimeout(timer);
                reject(e);
            },
        );
    });
}

/** How a call is retried. */
export interface RetryPolicy {
    /** Total attempts, the first included (1 = no retry). */
    attempts: number;
    /** Backoff before the first retry; doubles on each later one. 0 = retry at once. */
    baseMs: number;
    /** Upper bound of one backoff. */
    capMs: number;
    /**
     * "full": sleep a uniform random time in [0, backoff) (AWS's "full jitter"), so that clients that failed
     * together do not retry together. "none": sleep exactly the backoff, so they do.
     */
    jitter: "full" | "none";
}

/** The backoff before retry number `retry` (1 = the first retry), given a random number in [0, 1). */
export function backoffMs(policy: RetryPolicy, retry: number, random: number): number {
    const exp = Math.min(policy.capMs, policy.baseMs * 2 ** (retry - 1));
    return policy.jitter === "full" ? Math.floor(random * exp) : exp;
}

/** Options of {@link retry}. */
export interface RetryOptions {
    /** Whether an error is worth another attempt. Defaults to every error. */
    retryable?: (err: unknown) => boolean;
    /** Called before each retry with the attempt that failed (1-based), its error and the chosen backoff. */
    onRetry?: (attempt: number, err: unknown, delayMs: number) => void;
    /** Source of randomness in [0, 1); tests pass their own. */
    random?: () => number;
    /** Sleeps; tests pass their own. */
    sleep?: (ms: number) => Promise<void>;
}

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Calls `fn` until it succeeds, an error is not retryable, or `policy.attempts` are used up (then rethrows). */
export async function retry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, opts: RetryOptions = {}): Promise<T> {
    const random = opts.random ?? Math.random;
    const pause = opts.sleep ?? sleep;
    for (let attempt = 1; ; attempt++) {
        try {
            return await fn(attempt);
        } catch (err) {
            if (attempt >= policy.attempts || (opts.retryable && !opts.retryable(err))) throw err;
            const delay = backoffMs(policy, attempt, random());
            opts.onRetry?.(attempt, err, delay);
            if (delay > 0) await pause(delay);
        }
    }
}

/**
 * Whether a Postgres error is permanent for the message that caused it: the data is wrong (SQLSTATE class 22, data
 * exception) or breaks a constraint (class 23). Such a message fails the same way on every attempt: it is a poison
 * message. Everything else (connection refused or reset, timeouts, DNS, disk full 53100, shutdown 57P01) is
 * transient: the message is fine and the dependency is not.
 */
export function isPermanentDbError(err: unknown): boolean {
    const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
    return typeof code === "string" && /^(22|23)[0-9A-Z]{3}$/.test(code);
}
