// Unit test: byte sizes (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteSize, formatBytes, parseByteSize } from "../../../components/core/size";

describe("parseByteSize", () => {
    it("reads binary, decimal and Docker-style units, case-insensitively", () => {
        assert.equal(parseByteSize("512"), 512);
        assert.equal(parseByteSize("512B"), 512);
        assert.equal(parseByteSize("64MiB"), 64 * 1024 * 1024);
        assert.equal(parseByteSize("64mib"), 64 * 1024 * 1024);
        assert.equal(parseByteSize("1GB"), 1_000_000_000);
        assert.equal(parseByteSize("200m"), 200 * 1024 * 1024);
        assert.equal(parseByteSize("1.5KiB"), 1536);
    });

    it("rejects unknown units and garbage", () => {
        assert.equal(parseByteSize("10 parsecs"), undefined);
        assert.equal(parseByteSize("MiB"), undefined);
        assert.equal(parseByteSize("-5MiB"), undefined);
    });
});

describe("ByteSize", () => {
    it("parses numbers and strings to bytes", () => {
        assert.equal(ByteSize.parse(4096), 4096);
        assert.equal(ByteSize.parse("4k"), 4096);
    });

    it("says how to write a size", () => {
        const r = ByteSize.safeParse("lots");
        assert.equal(r.success, false);
        assert.equal(r.error?.issues[0]?.message, '"lots" is not a size; write a whole number of bytes or e.g. "64MiB", "512k", "1GB"');
        assert.equal(ByteSize.safeParse(0).error?.issues[0]?.message, "must be greater than zero");
        assert.equal(ByteSize.safeParse(1.5).error?.issues[0]?.message, '"1.5" is not a size; write a whole number of bytes or e.g. "64MiB", "512k", "1GB"');
    });
});

describe("formatBytes", () => {
    it("uses the largest binary unit", () => {
        assert.equal(formatBytes(512), "512B");
        assert.equal(formatBytes(64 * 1024 * 1024), "64MiB");
        assert.equal(formatBytes(1.5 * 1024 ** 3), "1.5GiB");
    });
});
