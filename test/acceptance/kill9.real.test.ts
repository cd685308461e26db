// Acceptance test (real Docker, real Pulumi CLI): kill -9 of everything leaves nothing broken.
// Three faults (partition, pause, CPU quota), each with a 10 s TTL, are put in by the real `pulumi up`; the whole
// process tree is killed with SIGKILL right after they are seen on the targets; every target must be back in its
// exact prior state within TTL + 5 s, and a later destroy must succeed and leave no reaper or helper behind.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { dockerClient } from "../../components/core/docker";
import { useFaultlineEnv } from "../../runner/env";
import { openStack } from "../../runner/pulumi";
import { canFetch, cleanupRun, createNetwork, endpointOf, runContainer, runId, SUITE_TIMEOUT_MS } from "../helpers/docker";
import { faultlineContainersOf, reaperLogs, recoverKilledStack, teardownStack } from "../helpers/faults";
import { waitFor } from "../helpers/wait";
import { upThenKillTree } from "../helpers/killTree";

const TTL_MS = 10_000;
const SLACK_MS = 5_000;

/** The CFS limits of a container, from Docker's view and from its cgroup (v1), to compare before and after. */
async function cpuOf(name: string) {
    const info = await dockerClient().getContainer(name).inspect();
    const read = (f: string) => {
        try {
            return fs.readFileSync(`/sys/fs/cgroup/cpu/docker/${info.Id}/${f}`, "utf8").trim();
        } catch {
            return "unreadable";
        }
    };
    return {
        quota: info.HostConfig.CpuQuota,
        period: info.HostConfig.CpuPeriod,
        nanoCpus: info.HostConfig.NanoCpus,
        cgroupQuota: read("cpu.cfs_quota_us"),
        cgroupPeriod: read("cpu.cfs_period_us"),
    };
}

async function paused(name: string): Promise<boolean> {
    return (await dockerClient().getContainer(name).inspect()).State.Paused;
}

describe("kill -9 of pulumi up: every fault reverts by its TTL (real Docker, real Pulumi CLI)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const net = `flt-k9-${run}`;
    const [cut, frozen, squeezed, client] = ["cut", "frozen", "squeezed", "client"].map((n) => `flt-k9-${n}-${run}`) as [string, string, string, string];
    const stackName = `test-kill9-${run}`;
    let stack: Stack;
    let prior: { endpoint: Awaited<ReturnType<typeof endpointOf>>; cpu: Awaited<ReturnType<typeof cpuOf>> };

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        const httpd = ["httpd", "-f", "-p", "8080", "-h", "/www"];
        await runContainer({ name: cut, run, network: net, aliases: ["cut"], cmd: httpd });
        await runContainer({ name: frozen, run, network: net, aliases: ["frozen"], cmd: httpd });
        // The squeezed target has explicit limits, as production containers do, so "exactly as before" is checked
        // on Docker's own values as well as on the cgroup (test/components/docker covers unlimited containers).
        await runContainer({ name: squeezed, run, network: net, aliases: ["squeezed"], cmd: httpd, hostConfig: { CpuQuota: 150000, CpuPeriod: 100000 } });
        await runContainer({ name: client, run, network: net, cmd: ["sleep", "600"] });
        for (const host of ["cut", "frozen", "squeezed"]) assert.equal(await canFetch(client, `http://${host}:8080/`), true, `precondition: ${host} answers`);
        prior = { endpoint: await endpointOf(cut, net), cpu: await cpuOf(squeezed) };
        stack = await openStack(stackName, {
            experiment: {
                name: "kill9",
                faults: [
                    { name: "partition", kind: "docker:network-disconnect", container: cut, network: net, ttl: "10s" },
                    { name: "freeze", kind: "docker:container-pause", target: { name: frozen }, ttl: "10s" },
                    { name: "squeeze", kind: "docker:resource-limits", target: { name: squeezed }, cpus: 0.2, ttl: "10s" },
                ],
            },
        });
    });

    after(async () => {
        if (stack) {
            await teardownStack(stack);
        }
        await cleanupRun(run);
    });

    it("reverts all three faults within TTL + 5 s of SIGKILL, then recovers the stack and destroys it cleanly", async () => {
        const faultsIn = async () =>
            (await endpointOf(cut, net)) === undefined && (await paused(frozen)) && (await cpuOf(squeezed)).quota === 20000;
        const k = await upThenKillTree(stackName, { whenSeen: faultsIn });
        assert.equal(await faultsIn(), true, "the faults are still in right after the kill");
        assert.equal(await canFetch(client, "http://frozen:8080/", 2), false, "the paused target does not answer");

        // The reapers carry their deadline (injection time + TTL): how late each revert came is measured from it.
        const reapers = await faultlineContainersOf(stackName);
        assert.deepEqual(reapers.map((r) => `${r.role}:${r.fault}`).sort(), ["reaper:freeze", "reaper:partition", "reaper:squeeze"]);
        const expires = Object.fromEntries(reapers.map((r) => [r.fault, Date.parse(r.expiresAt!)]));
        const back = { partition: 0, freeze: 0, squeeze: 0 };
        // TTL + 5 s from the latest injection (the reapers' deadlines), which is never later than from the moment
        // the faults were seen.
        const deadline = Math.max(...Object.values(expires)) + SLACK_MS;
        assert.ok(deadline <= k.faultsInAt + TTL_MS + SLACK_MS);
        await Promise.all([
            waitFor("partition reverted", async () => JSON.stringify(await endpointOf(cut, net)) === JSON.stringify(prior.endpoint), deadline - Date.now() + 1).then(() => (back.partition = Date.now())),
            waitFor("pause reverted", async () => !(await paused(frozen)), deadline - Date.now() + 1).then(() => (back.freeze = Date.now())),
            waitFor("limits reverted", async () => JSON.stringify(await cpuOf(squeezed)) === JSON.stringify(prior.cpu), deadline - Date.now() + 1).then(() => (back.squeeze = Date.now())),
        ]).catch(async (err: Error) => {
            throw new Error(`${err.message}\n${await reaperLogs(stackName)}`);
        });
        const since = (t: number) => `${((t - k.faultsInAt) / 1000).toFixed(2)} s after the faults were in, ${((t - k.killedAt) / 1000).toFixed(2)} s after SIGKILL`;
        console.log(`kill -9 measurements: SIGKILL ${k.killedAt - k.faultsInAt} ms after the faults were seen`);
        for (const [fault, t] of Object.entries(back)) {
            console.log(`  ${fault}: back ${since(t)}, ${((t - expires[fault]!) / 1000).toFixed(2)} s after its TTL ran out`);
        }

        assert.deepEqual(await endpointOf(cut, net), prior.endpoint, "same IP and aliases");
        assert.deepEqual(await cpuOf(squeezed), prior.cpu, "CPU quota and period exactly as before");
        assert.equal(await paused(frozen), false);
        for (const host of ["cut", "frozen", "squeezed"]) assert.equal(await canFetch(client, `http://${host}:8080/`), true, `${host} answers again`);
        await waitFor("reapers to remove themselves", async () => (await faultlineContainersOf(stackName)).length === 0, 10_000);

        await recoverKilledStack(stack);
        const d = await stack.destroy();
        assert.equal(d.summary.result, "succeeded");
        assert.deepEqual(await faultlineContainersOf(stackName), [], "no reaper or helper container is left");
        assert.deepEqual(await endpointOf(cut, net), prior.endpoint, "destroy did not disturb the restored state");
        assert.deepEqual(await cpuOf(squeezed), prior.cpu);
    });
});
