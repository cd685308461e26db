// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { dockerClient } from "../../../components/core/docker";
import { driver, ResourceLimitsSpec, UNLIMITED_MEMORY } from "../../../components/docker/faults/resourceLimits";
import { cleanupRun, runContainer, runId } from "../../helpers/docker";
import { faultCycleSuite } from "../../helpers/faultCycle";
import { prepareThenApply } from "../../../components/core/driver";

/** Docker's view of the limits and the cgroup (v1) files the kernel enforces. */
async function limits(name: string) {
    const info = await dockerClient().getContainer(name).inspect();
    const h = info.HostConfig;
    const read = (ctl: string, file: string) => fs.readFileSync(`/sys/fs/cgroup/${ctl}/docker/${info.Id}/${file}`, "utf8").trim();
    return {
        hostConfig: { CpuQuota: h.CpuQuota, CpuPeriod: h.CpuPeriod, NanoCpus: h.NanoCpus, CpusetCpus: h.CpusetCpus, Memory: h.Memory, MemorySwap: h.MemorySwap },
        cgroup: {
            quota: read("cpu", "cpu.cfs_quota_us"),
            period: read("cpu", "cpu.cfs_period_us"),
            cpus: read("cpuset", "cpuset.cpus"),
            memory: read("memory", "memory.limit_in_bytes"),
            memsw: read("memory", "memory.memsw.limit_in_bytes"),
        },
    };
}

// A container with explicit limits, as in production: every value is written back exactly, memory and swap in
// the order Docker and the kernel accept (the squeeze lowers both below the old memory).
faultCycleSuite({
    title: "ResourceLimits",
    tag: "limits",
    web: { hostConfig: { CpuQuota: 150000, CpuPeriod: 100000, CpusetCpus: "1", Memory: 64 * 1024 ** 2, MemorySwap: 128 * 1024 ** 2 } },
    fault: (t) => ({ kind: "docker:resource-limits", target: { name: t.web }, cpus: 0.2, cpusetCpus: "0", memory: "16m" }),
    snapshot: (t) => limits(t.web),
    inEffect: async (t) => {
        const l = await limits(t.web);
        return l.hostConfig.CpuQuota === 20000 && l.cgroup.cpus === "0" && l.cgroup.memory === String(16 * 1024 ** 2);
    },
    answersDuringFault: true,
    revertByHand: async (t) => {
        await dockerClient().getContainer(t.web).update({ CpuQuota: 150000, CpusetCpus: "1", Memory: 64 * 1024 ** 2, MemorySwap: 128 * 1024 ** 2 });
    },
});

describe("ResourceLimits on a container without limits (real Docker, driver only)", { timeout: 120_000 }, () => {
    const run = runId();
    const name = `flt-limits-unset-${run}`;
    const ctx = {
        owner: { project: "faultline", stack: `test-limits-unset-${run}`, experiment: "e", fault: "f", kind: driver.kind },
        warn: (m: string) => assert.fail(`unexpected warning: ${m}`),
        info: () => undefined,
    };
    after(() => cleanupRun(run));

    it("restores the cgroup exactly; Docker shows the kernel's unlimited values instead of 0", async () => {
        await runContainer({ name, run, cmd: ["httpd", "-f", "-p", "8080"] });
        const before = await limits(name);
        assert.deepEqual(before.hostConfig, { CpuQuota: 0, CpuPeriod: 0, NanoCpus: 0, CpusetCpus: "", Memory: 0, MemorySwap: 0 });
        const record = await prepareThenApply(driver, ResourceLimitsSpec.parse({ target: { name }, cpus: 0.5, cpusetCpus: "0", memory: "32m" }), ctx);
        const during = await limits(name);
        assert.deepEqual(during.cgroup, { ...before.cgroup, quota: "50000", cpus: "0", memory: "33554432", memsw: "33554432" });
        assert.equal(await driver.revert(record, ctx), "reverted");
        const after_ = await limits(name);
        assert.deepEqual(after_.cgroup, before.cgroup, "the kernel enforces exactly what it did before");
        const cpuCount = (await dockerClient().info()).NCPU as number;
        assert.deepEqual(after_.hostConfig, {
            CpuQuota: -1,
            CpuPeriod: 0,
            NanoCpus: 0,
            CpusetCpus: cpuCount > 1 ? `0-${cpuCount - 1}` : "0",
            Memory: UNLIMITED_MEMORY,
            MemorySwap: UNLIMITED_MEMORY,
        });
        assert.equal(await driver.revert(record, ctx), "already-reverted", "a second revert is a no-op");
    });

    it("leaves a limit someone else changed since the fault as they set it, and says so", async () => {
        const warnings: string[] = [];
        const record = await prepareThenApply(driver, ResourceLimitsSpec.parse({ target: { name }, cpuQuota: 30000 }), { ...ctx, warn: (m) => warnings.push(m) });
        await dockerClient().getContainer(name).update({ CpuQuota: 70000 });
        assert.equal(await driver.revert(record, { ...ctx, warn: (m) => warnings.push(m) }), "already-reverted");
        assert.equal((await limits(name)).hostConfig.CpuQuota, 70000);
        assert.deepEqual(warnings, [`container "${name}": CpuQuota changed since the fault (now 70000); left as it is`]);
    });
});
