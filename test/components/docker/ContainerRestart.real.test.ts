// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
// A restart is one-shot: there is nothing to undo, only the guarantee that every restarted container runs again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { dockerClient } from "../../../components/core/docker";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack } from "../../../runner/pulumi";
import { canFetch, cleanupRun, createNetwork, runContainer, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { faultlineContainersOf, recoverKilledStack, teardownStack } from "../../helpers/faults";
import { waitFor } from "../../helpers/wait";
import { upThenKillTree } from "../../helpers/killTree";

const state = async (name: string) => (await dockerClient().getContainer(name).inspect()).State;

describe("ContainerRestart (real Docker, real Pulumi engine)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const net = `flt-restart-${run}`;
    const web = `flt-restart-web-${run}`;
    const client = `flt-restart-client-${run}`;
    const stackName = `test-restart-${run}`;
    let stack: Stack;
    const experiment = (ttl: string) => ({
        name: "restart-test",
        faults: [{ name: "bounce", kind: "docker:container-restart", target: { name: web }, graceSeconds: 1, ttl }],
    });

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        await runContainer({ name: web, run, network: net, aliases: ["web"], cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
        await runContainer({ name: client, run, network: net, cmd: ["sleep", "900"] });
        stack = await openStack(stackName, { experiment: experiment("10m") });
    });

    after(async () => {
        if (stack) {
            await teardownStack(stack);
        }
        await cleanupRun(run);
    });

    it("up restarts the target once (new StartedAt, running, answering); refresh then drops the finished fault", async () => {
        const startedBefore = (await state(web)).StartedAt;
        assert.equal((await stack.up()).summary.result, "succeeded");
        const s = await state(web);
        assert.notEqual(s.StartedAt, startedBefore, "a new run");
        assert.equal(s.Running, true);
        await waitFor("the target to answer", () => canFetch(client, "http://web:8080/"), 15_000);
        const r = await stack.refresh();
        assert.equal(r.summary.resourceChanges?.delete, 1, "a finished restart is no longer in effect");
        assert.deepEqual(await faultlineContainersOf(stackName), [], "and its reaper went with it");
        assert.equal((await stack.destroy()).summary.result, "succeeded");
    });

    it("destroy starts a restarted container that is down", async () => {
        await stack.up();
        await dockerClient().getContainer(web).stop({ t: 0 });
        assert.equal((await stack.destroy()).summary.result, "succeeded");
        assert.equal((await state(web)).Running, true);
    });

    it("after SIGKILL of pulumi up, the reaper makes sure the target runs when the TTL is out; destroy is clean", async () => {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment("8s")) });
        const startedBefore = (await state(web)).StartedAt;
        const k = await upThenKillTree(stackName, { whenSeen: async () => (await state(web)).StartedAt !== startedBefore });
        // Stand in for a restart that was cut between its stop and its start.
        await dockerClient().getContainer(web).stop({ t: 0 });
        await waitFor("the reaper to start the target", async () => (await state(web)).Running, 8_000 + 7_000 - (Date.now() - k.faultsInAt));
        const back = Date.now();
        console.log(`ContainerRestart: running again ${((back - k.killedAt) / 1000).toFixed(2)} s after SIGKILL (TTL 8 s)`);
        await waitFor("the reaper to remove itself", async () => (await faultlineContainersOf(stackName)).length === 0, 15_000);
        await recoverKilledStack(stack);
        assert.equal((await stack.destroy()).summary.result, "succeeded");
        assert.deepEqual(await faultlineContainersOf(stackName), []);
    });
});
