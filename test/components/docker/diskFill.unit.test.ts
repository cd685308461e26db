// Unit test: the disk-fill spec schema and file name (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpec, SpecError } from "../../../components/core/errors";
import { DiskFillSpec, fillFileName } from "../../../components/docker/faults/diskFill";

function issues(input: unknown) {
    try {
        parseSpec(DiskFillSpec, input, "spec", "spec");
    } catch (err) {
        assert.ok(err instanceof SpecError);
        return err.issues;
    }
    assert.fail("expected a SpecError");
}

describe("DiskFillSpec", () => {
    it("defaults the path to /tmp and the reserve to 10%, and parses sizes", () => {
        assert.deepEqual(parseSpec(DiskFillSpec, { target: { name: "db" }, bytes: "8MiB" }, "spec"), {
            target: { name: "db", mode: "one" },
            path: "/tmp",
            bytes: 8 * 1024 * 1024,
            reservePercent: 10,
        });
    });

    it("takes a percentage of the free space instead", () => {
        assert.deepEqual(parseSpec(DiskFillSpec, { target: { name: "db" }, path: "/data", percent: 95 }, "spec"), {
            target: { name: "db", mode: "one" },
            path: "/data",
            percent: 95,
            reservePercent: 10,
        });
    });

    it("keeps the reserve between 0 and 90%", () => {
        assert.deepEqual(issues({ target: { name: "db" }, bytes: 1, reservePercent: 95 }), [{ path: "spec.reservePercent", message: "must be between 0 and 90" }]);
    });

    it("reports a relative path, a path with .., and a missing size", () => {
        assert.deepEqual(issues({ target: { name: "db" }, path: "data" }), [
            { path: "spec.path", message: 'must be an absolute path inside the target, e.g. "/data"' },
            { path: "spec.bytes", message: 'give exactly one of bytes (e.g. "512MiB") or percent (of the free space, e.g. 90)' },
        ]);
        assert.deepEqual(issues({ target: { name: "db" }, path: "/data/../etc", bytes: 1 }), [
            { path: "spec.path", message: 'must not contain ".."; give the directory\'s own absolute path' },
        ]);
    });

    it("rejects a size that is not one", () => {
        assert.deepEqual(issues({ target: { name: "db" }, bytes: "a lot" }), [
            { path: "spec.bytes", message: '"a lot" is not a size; write a whole number of bytes or e.g. "64MiB", "512k", "1GB"' },
        ]);
    });
});

describe("fillFileName", () => {
    it("is owned by faultline and names the stack and fault", () => {
        assert.equal(fillFileName({ stack: "game-day/1", fault: "db-disk" }), ".faultline-fill-game-day-1-db-disk");
    });
});
