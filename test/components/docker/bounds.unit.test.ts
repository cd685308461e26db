import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cpusetSize, cpusOf, cpuWorkerIssues, deviceOf, diskFillIssues, fillBytesOf, memoryPercentIssues } from "../../../components/docker/bounds";

const GiB = 1024 ** 3;

describe("CPU bound", () => {
    it("counts cpusets and takes the tightest limit", () => {
        assert.equal(cpusetSize("0-3,6"), 5);
        assert.deepEqual(cpusOf({ NanoCpus: 0, CpuQuota: 0, CpuPeriod: 0, CpusetCpus: "" }, 8), { cpus: 8, cpusFrom: "host" });
        assert.deepEqual(cpusOf({ NanoCpus: 1.5e9, CpuQuota: 0, CpuPeriod: 0, CpusetCpus: "0-3" }, 8), { cpus: 1.5, cpusFrom: "quota" });
        assert.deepEqual(cpusOf({ NanoCpus: 0, CpuQuota: 300000, CpuPeriod: 100000, CpusetCpus: "1" }, 8), { cpus: 1, cpusFrom: "cpuset" });
    });

    it("refuses more workers than CPUs at spec.workers, with the most allowed", () => {
        const t = { name: "web", labels: {}, capacity: { cpus: 2, cpusFrom: "host" as const } };
        assert.deepEqual(cpuWorkerIssues(2, [t]), []);
        assert.deepEqual(cpuWorkerIssues(64, [t]), [
            { path: "spec.workers", message: '64 workers for "web", which may use 2 CPU(s) (the host\'s: it has no CPU quota or cpuset); lower workers to at most 2, one per CPU keeps them all busy' },
        ]);
    });
});

describe("memory bound", () => {
    it("refuses a percentage of a container without a limit, not an absolute size", () => {
        const t = { name: "web", labels: {}, capacity: { memoryLimitBytes: 0 } };
        assert.deepEqual(memoryPercentIssues(undefined, [t]), []);
        assert.deepEqual(memoryPercentIssues(50, [{ ...t, capacity: { memoryLimitBytes: 256 * 1024 * 1024 } }]), []);
        assert.deepEqual(memoryPercentIssues(100, [t]), [
            {
                path: "spec.percent",
                message: '"web" has no memory limit, so 100% would be of the whole host\'s memory; give an absolute size in bytes instead (e.g. bytes: "256MiB"), or give the container a limit (`docker run --memory 512m`)',
            },
        ]);
    });
});

describe("disk bound", () => {
    it("names where a filesystem's space comes from", () => {
        assert.deepEqual(deviceOf("overlay", "overlay", "/var/lib/docker"), { device: "the Docker host's disk under /var/lib/docker (the container's overlay root)", hostShared: true });
        assert.deepEqual(deviceOf("ext4", "/dev/vda1", "/var/lib/docker"), { device: "/dev/vda1 (a host disk: a bind mount or volume)", hostShared: true });
        assert.deepEqual(deviceOf("tmpfs", "tmpfs", "/var/lib/docker"), { device: "the host's memory (tmpfs)", hostShared: true });
    });

    it("refuses a fill that would eat into the reserve, at the field that asked for it", () => {
        const fs = { path: "/", type: "overlay", device: "the Docker host's disk under /var/lib/docker (the container's overlay root)", hostShared: true, sizeBytes: 60 * GiB, freeBytes: 40 * GiB, reserveBytes: 6 * GiB };
        const target = (fillBytes: number) => ({ name: "web", labels: {}, capacity: { filesystem: { ...fs, fillBytes } } });
        assert.equal(fillBytesOf({ percent: 100 }, 40 * GiB), 40 * GiB);
        assert.deepEqual(diskFillIssues({ percent: 80, reservePercent: 10 }, [target(32 * GiB)]), []);
        assert.deepEqual(diskFillIssues({ percent: 100, reservePercent: 10 }, [target(40 * GiB)]), [
            {
                path: "spec.percent",
                message: "writing 40GiB into / of \"web\" (overlay on the Docker host's disk under /var/lib/docker (the container's overlay root): 40GiB free of 60GiB) would leave less than the 10% reserve (6GiB) free; lower percent to at most 85, or lower reservePercent",
            },
        ]);
        assert.deepEqual(diskFillIssues({ bytes: 35 * GiB, reservePercent: 10 }, [target(35 * GiB)])[0]?.path, "spec.bytes");
    });
});
