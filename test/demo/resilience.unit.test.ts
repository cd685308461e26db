// Unit tests of the demo's resilience primitives (demo/src/shared/resilience.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffMs, isPermanentDbError, retry, TimeoutError, withTimeout, type RetryPolicy } from "../../demo/src/shared/resilience";

const full: RetryPolicy = { attempts: 4, baseMs: 100, capMs: 300, jitter: "full" };

describe("demo resilience primitives", () => {
    it("backs off exponentially up to the cap; full jitter scales it by the random draw", () => {
        const none = { ...full, jitter: "none" as const };
        assert.deepEqual([1, 2, 3, 4].map((n) => backoffMs(none, n, 0.5)), [100, 200, 300, 300]);
        assert.deepEqual([1, 2, 3, 4].map((n) => backoffMs(full, n, 0.5)), [50, 100, 150, 150]);
        assert.equal(backoffMs(full, 3, 0), 0);
    });

    it("retries a bounded number of times with the chosen sleeps, then rethrows the last error", async () => {
        const sleeps: number[] = [];
        let calls = 0;
        await assert.rejects(
            retry(async (attempt) => {
                calls++;
                throw new Error(`fail ${attempt}`);
            }, full, { random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) }),
            /fail 4/,
        );
        assert.equal(calls, 4);
        assert.deepEqual(sleeps, [50, 100, 150]);
    });

    it("stops at once on an error that is not retryable", async () => {
        let calls = 0;
        await assert.rejects(
            retry(async () => {
                calls++;
                throw Object.assign(new Error("check violation"), { code: "23514" });
            }, full, { retryable: (e) => !isPermanentDbError(e), sleep: async () => undefined }),
            /check violation/,
        );
        assert.equal(calls, 1);
    });

    it("times a slow call out with a TimeoutError naming the call", async () => {
        // withTimeout's timer is unref'd (it must not keep a service alive); this one keeps the test's loop alive.
        const keepAlive = setTimeout(() => undefined, 1000);
        const err = await withTimeout(new Promise(() => undefined), 20, "postgres query (SELECT)").catch((e: unknown) => e);
        clearTimeout(keepAlive);
        assert.ok(err instanceof TimeoutError);
        assert.equal((err as Error).message, "postgres query (SELECT) timed out after 20 ms");
        assert.equal(await withTimeout(Promise.resolve(7), 20, "x"), 7);
    });

    it("treats data and constraint errors as permanent, and connection trouble as transient", () => {
        for (const code of ["22P02", "23505", "23503", "23514"]) assert.equal(isPermanentDbError({ code }), true, code);
        for (const code of ["53100", "57P01", "08006", "42P01"]) assert.equal(isPermanentDbError({ code }), false, code);
        assert.equal(isPermanentDbError(new Error("connect ECONNREFUSED")), false);
        assert.equal(isPermanentDbError(Object.assign(new Error("x"), { code: "ECONNRESET" })), false);
    });
});
