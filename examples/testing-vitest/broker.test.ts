// faultline inside a vitest suite: the client under test must give up on a frozen broker within its timeout, and
// work again once the broker is back. Run: npx vitest run --root examples/testing-vitest
// (in your own project, import from "faultline/testing" instead of the relative path).
import { expect, test } from "vitest";
import { withFault } from "../../testing";

// The broker container (it must carry the label chaos.opt-in=true) and where the client reaches it.
const BROKER = process.env.BROKER_CONTAINER ?? "broker";
const BROKER_URL = process.env.BROKER_URL ?? "http://127.0.0.1:8080/";

/** The client under test: one request with a timeout (500 ms; the healthy checks allow a loaded machine more). */
async function ping(timeoutMs = 500): Promise<number> {
    const res = await fetch(BROKER_URL, { signal: AbortSignal.timeout(timeoutMs) });
    return res.status;
}

test("the client times out on a frozen broker and recovers when it is back", { timeout: 60_000 }, async () => {
    expect(await ping(5000)).toBe(200);
    await withFault({ kind: "docker:container-pause", target: { name: BROKER }, ttl: process.env.FAULT_TTL ?? "30s" }, async (fault) => {
        expect((await fault.observe()).active).toBe(true);
        expect(fault.targets.map((t) => t.name)).toEqual([BROKER]);
        // Three requests in a row, each cut off by the client's own timeout.
        for (let i = 0; i < 3; i++) await expect(ping()).rejects.toMatchObject({ name: "TimeoutError" });
    });
    expect(await ping(5000)).toBe(200);
});
