// Unit test: the clock-skew spec schema and offsets (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpec, SpecError } from "../../../components/core/errors";
import { ClockSkewSpec, parseOffset } from "../../../components/docker/faults/clockSkew";

describe("parseOffset", () => {
    it("reads a sign and a duration into whole seconds", () => {
        assert.equal(parseOffset("+2h"), 7200);
        assert.equal(parseOffset("-30m"), -1800);
        assert.equal(parseOffset("+1d"), 86_400);
        assert.equal(parseOffset("-1h30m"), -5400);
        assert.equal(parseOffset("+90s"), 90);
    });

    it("needs the sign, a unit and whole seconds", () => {
        assert.equal(parseOffset("2h"), undefined);
        assert.equal(parseOffset("+2"), undefined);
        assert.equal(parseOffset("+500ms"), undefined);
        assert.equal(parseOffset("+0s"), undefined);
    });
});

describe("ClockSkewSpec", () => {
    it("defaults restart to false", () => {
        assert.deepEqual(parseSpec(ClockSkewSpec, { target: { name: "worker" }, offset: "+2h" }, "spec"), {
            target: { name: "worker", mode: "one" },
            offset: "+2h",
            restart: false,
        });
    });

    it("says how to write an offset", () => {
        let caught: unknown;
        try {
            parseSpec(ClockSkewSpec, { target: { name: "w" }, offset: "2 hours", restart: "yes" }, "spec", "spec");
        } catch (err) {
            caught = err;
        }
        assert.ok(caught instanceof SpecError);
        assert.deepEqual(caught.issues, [
            { path: "spec.offset", message: 'must be a sign and a duration of whole seconds up to 3650d, e.g. "+2h", "-30m", "+1d" or "-90s"' },
            { path: "spec.restart", message: "must be true or false" },
        ]);
    });

    it("bounds the offset to ten years", () => {
        assert.equal(ClockSkewSpec.safeParse({ target: { name: "w" }, offset: "+3650d" }).success, true);
        assert.equal(ClockSkewSpec.safeParse({ target: { name: "w" }, offset: "+3651d" }).success, false);
    });
});
