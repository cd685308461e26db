// Unit test of the driver contract: the two-phase form is the only form, enforced by the type system (the
// `@ts-expect-error` lines fail `tsc` if the contract ever accepts a driver without prepare and apply again), and
// every registered driver has it at run time too.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { prepareThenApply, type DriverContext, type FaultDriver } from "../../../components/core/driver";
import { drivers } from "../../../components/registry";

const base = {
    kind: "test:noop",
    target: "docker" as const,
    schema: z.object({ n: z.number() }),
    describe: () => "nothing",
    revert: async () => "already-reverted" as const,
    observe: async () => ({ active: false, detail: "" }),
};

const ctx: DriverContext = {
    owner: { project: "p", stack: "s", experiment: "e", fault: "f", kind: "test:noop" },
    warn: () => undefined,
    info: () => undefined,
};

describe("FaultDriver: two-phase only", () => {
    it("rejects, at compile time, a driver without prepare, without apply, or with a one-shot inject", () => {
        // @ts-expect-error prepare is required: the record must be known (and armed) before the target changes.
        const noPrepare: FaultDriver<{ n: number }, number> = { ...base, apply: async () => undefined };
        // @ts-expect-error apply is required.
        const noApply: FaultDriver<{ n: number }, number> = { ...base, prepare: async () => 1 };
        const oneShot: FaultDriver<{ n: number }, number> = {
            ...base,
            prepare: async () => 1,
            apply: async () => undefined,
            // @ts-expect-error inject is gone: nothing may change a target before its revert record is armed.
            inject: async () => 1,
        };
        assert.ok(noPrepare && noApply && oneShot);
    });

    it("every registered driver has prepare and apply, and no inject", () => {
        for (const [kind, d] of Object.entries(drivers)) {
            assert.equal(typeof d.prepare, "function", `${kind}.prepare`);
            assert.equal(typeof d.apply, "function", `${kind}.apply`);
            assert.equal("inject" in d, false, `${kind} still has inject`);
        }
    });

    it("prepareThenApply reverts what a failed apply did before rethrowing", async () => {
        const calls: string[] = [];
        const failing: FaultDriver<{ n: number }, number> = {
            ...base,
            prepare: async (spec) => (calls.push("prepare"), spec.n),
            apply: async () => {
                calls.push("apply");
                throw new Error("half applied");
            },
            revert: async (rec) => (calls.push(`revert ${rec}`), "reverted"),
        };
        await assert.rejects(prepareThenApply(failing, { n: 7 }, ctx), { message: "half applied" });
        assert.deepEqual(calls, ["prepare", "apply", "revert 7"]);
    });
});
