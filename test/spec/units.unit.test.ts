// Unit test: the units of spec/: durations and sizes (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatBytes, formatDuration, parseByteSize, parseDuration, parseIsoDuration } from "../../spec/units";
import { ByteSize, Duration, LongDuration, Ratio, Window } from "../../spec/fields";

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

describe("parseDuration", () => {
    it("reads ms, s, m and h, largest first", () => {
        assert.equal(parseDuration("750ms"), 750);
        assert.equal(parseDuration("30s"), 30_000);
        assert.equal(parseDuration("5m"), 300_000);
        assert.equal(parseDuration("1h30m"), 5_400_000);
        assert.equal(parseDuration("1.5h"), 5_400_000);
        for (const bad of ["", "10", "5 m", "abc", "1h 30m"]) assert.equal(parseDuration(bad), undefined, bad);
    });

    it("formats back to the shortest form", () => {
        assert.equal(formatDuration(5_400_000), "90m");
        assert.equal(formatDuration(3_600_000), "1h");
        assert.equal(formatDuration(1500), "1500ms");
    });

    it("reads the ISO 8601 durations of FIS", () => {
        assert.equal(parseIsoDuration("PT10M"), 600_000);
        assert.equal(parseIsoDuration("PT1H30M"), 5_400_000);
        assert.equal(parseIsoDuration("PT90S"), 90_000);
        assert.equal(parseIsoDuration("P1DT2H"), 26 * 3_600_000);
        assert.equal(parseIsoDuration("PT"), undefined);
        assert.equal(parseIsoDuration("10m"), undefined);
    });
});

describe("Duration", () => {
    it("parses strings with units and numbers of milliseconds to milliseconds", () => {
        assert.equal(Duration.parse("30s"), 30_000);
        assert.equal(Duration.parse("1h30m"), 5_400_000);
        assert.equal(Duration.parse(250), 250);
    });

    it("is idempotent: a parsed value parses to itself", () => {
        for (const v of ["750ms", "30s", "5m", "1h30m", 20, 90_000]) {
            const once = Duration.parse(v);
            assert.equal(Duration.parse(once), once, String(v));
        }
        for (const v of ["1s", "10m", 1000]) assert.equal(LongDuration.parse(LongDuration.parse(v)), LongDuration.parse(v));
        for (const v of [0, "0s", "5s"]) assert.equal(Window.parse(Window.parse(v)), Window.parse(v));
        for (const v of ["64MiB", 4096, "1GB"]) assert.equal(ByteSize.parse(ByteSize.parse(v)), ByteSize.parse(v));
        for (const v of ["5%", 0.25]) assert.equal(Ratio.parse(Ratio.parse(v)), Ratio.parse(v));
    });

    it("refuses a bare number of seconds written the old way where a long window is expected, naming the fix", () => {
        assert.equal(LongDuration.safeParse(30).error?.issues[0]?.message, '30ms is too short for a time-to-live or window (at least 1s); a bare number is milliseconds; write "30s" for 30 seconds');
        assert.equal(LongDuration.safeParse("500ms").error?.issues[0]?.message, "500ms is too short for a time-to-live or window (at least 1s); make it at least 1s");
    });

    it("says how to write a duration, and bounds it to a day", () => {
        assert.equal(Duration.safeParse("soon").error?.issues[0]?.message, '"soon" is not a duration; write it like "30s", "5m", "1h30m" or "750ms"');
        assert.equal(Duration.safeParse(0).error?.issues[0]?.message, "must be greater than zero");
        assert.equal(Duration.safeParse("25h").error?.issues[0]?.message, "25h is longer than 24h; no fault should outlive a game day");
    });
});
