// The one way tests wait for something to happen: poll, with a deadline and a message that says what never came.

/**
 * Polls `probe` every `everyMs` until it gives a value other than `undefined` or `false`, and returns that value
 * (`true` for a plain check, or what the probe found: a parsed reply, a status). A probe that throws counts as "not
 * yet" (a container restarting, a port not yet open); after `timeoutMs` this throws, naming `what` and the last
 * error seen. Callers that need the moment it came read `Date.now()` right after.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 200): Promise<Exclude<T, undefined | false>> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await probe();
            if (v !== undefined && v !== false) return v as Exclude<T, undefined | false>;
        } catch (err) {
            last = err;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${last ? ` (last error: ${String(last)})` : ""}`);
        }
        await new Promise((r) => setTimeout(r, everyMs));
    }
}
