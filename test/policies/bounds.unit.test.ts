import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cpuStressWorkers, diskFillReserve, memoryStressAbsolute } from "../../policies/bounds";
import { resourceViolations, variant } from "../helpers/policy";
import { cpuStressFault, diskFillFault, dockerFault, memoryStressFault } from "./fixtures";

const GiB = 1024 ** 3;

describe("policy cpu-stress-workers", () => {
    it("passes one worker per CPU, and other kinds", async () => {
        assert.deepEqual(await resourceViolations(cpuStressWorkers, cpuStressFault()), []);
        assert.deepEqual(await resourceViolations(cpuStressWorkers, dockerFault()), []);
    });

    it("flags more workers than the target's CPUs", async () => {
        const r = variant(cpuStressFault(), (f) => (f.props.spec.workers = 64));
        assert.deepEqual(await resourceViolations(cpuStressWorkers, r), [
            'fault "web-cpu" runs 64 CPU workers on "web", which may use 2 CPU(s); at most one worker per CPU (2) is allowed',
        ]);
    });

    it("counts a fractional quota as one CPU more", async () => {
        const r = variant(cpuStressFault(), (f) => (f.props.targets[0].capacity.cpus = 1.5));
        assert.deepEqual(await resourceViolations(cpuStressWorkers, r), []);
        const over = variant(r, (f) => (f.props.spec.workers = 3));
        assert.deepEqual(await resourceViolations(cpuStressWorkers, over), [
            'fault "web-cpu" runs 3 CPU workers on "web", which may use 1.5 CPU(s); at most one worker per CPU (2) is allowed',
        ]);
    });
});

describe("policy memory-stress-absolute", () => {
    it("passes a percentage of a limited container, and an absolute size of an unlimited one", async () => {
        assert.deepEqual(await resourceViolations(memoryStressAbsolute, memoryStressFault()), []);
        const bytes = variant(memoryStressFault(), (f) => {
            f.props.spec = { target: f.props.spec.target, bytes: 256 * 1024 * 1024, workers: 1 };
            f.props.targets[0].capacity.memoryLimitBytes = 0;
        });
        assert.deepEqual(await resourceViolations(memoryStressAbsolute, bytes), []);
    });

    it("flags a percentage of a container without a memory limit", async () => {
        const r = variant(memoryStressFault(), (f) => (f.props.targets[0].capacity.memoryLimitBytes = 0));
        assert.deepEqual(await resourceViolations(memoryStressAbsolute, r), [
            'fault "web-memory" holds 80% of the memory of "web", which has no memory limit; without a limit only an absolute size (spec.bytes) is allowed',
        ]);
    });
});

describe("policy disk-fill-reserve", () => {
    it("passes a fill that leaves the reserve free", async () => {
        assert.deepEqual(await resourceViolations(diskFillReserve, diskFillFault()), []);
    });

    it("flags a reserve below the minimum, and honours the configured minimum", async () => {
        const r = variant(diskFillFault(), (f) => (f.props.spec.reservePercent = 0));
        assert.deepEqual(await resourceViolations(diskFillReserve, r), [
            'fault "db-disk" keeps 0% of the filesystem free (spec.reservePercent); a disk fill must keep at least 10%',
        ]);
        assert.deepEqual(await resourceViolations(diskFillReserve, r, { config: { minReservePercent: 0 } }), []);
    });

    it("flags a fill that would eat into the reserve", async () => {
        const r = variant(diskFillFault(), (f) => (f.props.targets[0].capacity.filesystem.fillBytes = 8 * GiB));
        assert.deepEqual(await resourceViolations(diskFillReserve, r), [
            `fault "db-disk" writes ${8 * GiB} bytes into /data of "db" on /dev/vdb1 (a host disk: a bind mount or volume), which has ${8 * GiB} bytes free; a disk fill must leave its reserve (${GiB} bytes) free`,
        ]);
    });
});
