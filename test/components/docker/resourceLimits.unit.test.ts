// Unit test: the spec schema and the restore arithmetic (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { driver, ResourceLimitsSpec, restoreOf, UNLIMITED_MEMORY } from "../../../components/docker/faults/resourceLimits";
import { specIssues } from "../../helpers/spec";

const target = { name: "api" };

describe("ResourceLimitsSpec", () => {
    it("parses sizes into bytes and defaults swap to memory at injection", () => {
        const spec = ResourceLimitsSpec.parse({ target, cpus: 0.5, memory: "64m" });
        assert.deepEqual(spec, { target: { name: "api", mode: "one" }, cpus: 0.5, memory: 67108864 });
        assert.equal(ResourceLimitsSpec.parse({ target, memory: "1g", memorySwap: 2147483648 }).memorySwap, 2147483648);
        assert.equal(driver.describe(spec), 'limit one container named "api" to 0.5 CPUs, memory 67108864 bytes (with swap 67108864)');
    });

    it("needs at least one limit", () => {
        assert.deepEqual(specIssues(ResourceLimitsSpec, { target }), [
            { path: "spec", message: "give at least one limit to change: cpus, cpuQuota, cpuPeriod, cpusetCpus or memory" },
        ]);
    });

    it("rejects conflicting and impossible limits, each by field", () => {
        assert.deepEqual(specIssues(ResourceLimitsSpec, { target, cpus: 1, cpuQuota: 50000, memory: "64m", memorySwap: "32m" }), [
            { path: "spec.cpus", message: "cpus and cpuQuota/cpuPeriod set the same CFS limit; give either cpus, or cpuQuota with an optional cpuPeriod" },
            { path: "spec.memorySwap", message: "must be at least memory: it is memory plus swap" },
        ]);
        assert.deepEqual(specIssues(ResourceLimitsSpec, { target, memorySwap: "64m" }), [
            { path: "spec", message: "give at least one limit to change: cpus, cpuQuota, cpuPeriod, cpusetCpus or memory" },
            { path: "spec.memorySwap", message: "needs memory: Docker changes swap only together with memory" },
        ]);
    });

    it("rejects bad values with how to write them", () => {
        assert.deepEqual(specIssues(ResourceLimitsSpec, { target, cpus: 0, cpuPeriod: 500, cpusetCpus: "0,", memory: "4m" }), [
            { path: "spec.cpus", message: "must be at least 0.01" },
            { path: "spec.cpuPeriod", message: "must be at least 1000 (1 ms)" },
            { path: "spec.cpusetCpus", message: 'must be a list of CPUs such as "0" or "0-1,3"' },
            { path: "spec.memory", message: "must be at least 6m: Docker's smallest memory limit" },
        ]);
        assert.deepEqual(specIssues(ResourceLimitsSpec, { target, memory: "lots" }), [
            { path: "spec.memory", message: '"lots" is not a size; write it like "256m", "1g", "512k" or a whole number of bytes' },
        ]);
    });
});

describe("restoreOf", () => {
    it("writes explicit limits back exactly", () => {
        const prior = { CpuQuota: 150000, CpuPeriod: 100000, NanoCpus: 0, CpusetCpus: "1", Memory: 67108864, MemorySwap: 134217728 };
        const applied = { CpuQuota: 20000, CpusetCpus: "0", Memory: 16777216, MemorySwap: 16777216 };
        assert.deepEqual(restoreOf(prior, applied, 2), { CpuQuota: 150000, CpusetCpus: "1", Memory: 67108864, MemorySwap: 134217728 });
    });

    it("writes unset limits as the kernel's unlimited, because Docker's update reads 0 as 'leave as it is'", () => {
        const prior = { CpuQuota: 0, CpuPeriod: 0, NanoCpus: 0, CpusetCpus: "", Memory: 0, MemorySwap: 0 };
        const applied = { CpuQuota: 20000, CpuPeriod: 50000, CpusetCpus: "0", Memory: 16777216, MemorySwap: 16777216 };
        assert.deepEqual(restoreOf(prior, applied, 4), {
            CpuQuota: -1,
            CpuPeriod: 100000,
            CpusetCpus: "0-3",
            Memory: UNLIMITED_MEMORY,
            MemorySwap: UNLIMITED_MEMORY,
        });
    });

    it("touches only what the fault changed", () => {
        const prior = { CpuQuota: 0, CpuPeriod: 0, NanoCpus: 1500000000, CpusetCpus: "", Memory: 0, MemorySwap: 0 };
        assert.deepEqual(restoreOf(prior, { NanoCpus: 500000000 }, 2), { NanoCpus: 1500000000 });
    });
});
