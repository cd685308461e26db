// Unit test: the CPU and memory stress spec schemas and the stress-ng deadline (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpec } from "../../../components/core/errors";
import { CpuStressSpec } from "../../../components/docker/faults/cpuStress";
import { MemoryStressSpec } from "../../../components/docker/faults/memoryStress";
import { stressTimeoutSeconds } from "../../../components/docker/stressor";
import { specIssues } from "../../helpers/spec";

describe("CpuStressSpec", () => {
    it("fills in one worker at full load and blast radius one", () => {
        assert.deepEqual(parseSpec(CpuStressSpec, { target: { name: "api" } }, "spec"), {
            target: { name: "api", mode: "one" },
            workers: 1,
            load: 100,
        });
    });

    it("reports every bad field at once, with how to fix it", () => {
        assert.deepEqual(specIssues(CpuStressSpec, { target: { name: "api", mode: "all" }, workers: 0, load: 150, cores: 2 }), [
            { path: "spec.target.allowAll", message: 'mode "all" hits every matching container; set allowAll: true to confirm, or use mode one/fixed/percent' },
            { path: "spec.workers", message: "at least 1 worker" },
            { path: "spec.load", message: "must be between 1 and 100" },
            { path: "spec.cores", message: "unknown field; remove it or check its spelling against the documented fields" },
        ]);
    });

    it("requires a target", () => {
        assert.deepEqual(specIssues(CpuStressSpec, {}), [{ path: "spec.target", message: 'required: which containers to hit, e.g. { name: "api" } (name, nameRegex and/or labels)' }]);
    });
});

describe("MemoryStressSpec", () => {
    it("takes a size with a unit and parses it to bytes", () => {
        assert.deepEqual(parseSpec(MemoryStressSpec, { target: { labels: { tier: "api" } }, bytes: "256MiB", workers: 2 }, "spec"), {
            target: { labels: { tier: "api" }, mode: "one" },
            bytes: 256 * 1024 * 1024,
            workers: 2,
        });
    });

    it("needs exactly one of bytes and percent", () => {
        const msg = 'give exactly one of bytes (e.g. "256MiB") or percent (e.g. 80) to say how much memory to hold';
        assert.deepEqual(specIssues(MemoryStressSpec, { target: { name: "a" } }), [{ path: "spec.bytes", message: msg }]);
        assert.deepEqual(specIssues(MemoryStressSpec, { target: { name: "a" }, bytes: 1024, percent: 50 }), [{ path: "spec.bytes", message: msg }]);
    });

    it("bounds percent", () => {
        assert.deepEqual(specIssues(MemoryStressSpec, { target: { name: "a" }, percent: 120 }), [
            { path: "spec.percent", message: "must be at most 100; above its limit a container is OOM-killed anyway" },
        ]);
    });
});

describe("stressTimeoutSeconds", () => {
    it("is the time left until the deadline, rounded up, at least one second", () => {
        assert.equal(stressTimeoutSeconds({ expiresAt: 10_500 }, 0), 11);
        assert.equal(stressTimeoutSeconds({ expiresAt: 1_000 }, 5_000), 1);
    });

    it("is 24h without a known deadline", () => {
        assert.equal(stressTimeoutSeconds({}, 0), 86_400);
    });
});
