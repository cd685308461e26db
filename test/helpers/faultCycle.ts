// A real-engine test suite every fault kind runs: the real Pulumi CLI (Automation API, local backend) and a real
// Docker engine, from injection to every way a fault is rolled back.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { openStack, removeStack } from "../../runner/pulumi";
import { canFetch, cleanupRun, createNetwork, runContainer, runId } from "./docker";
import { faultlineContainersOf, reaperLogs, recoverKilledStack, waitFor } from "./faults";
import { upThenKillTree } from "./killTree";

/** The containers of one suite: a web target on its own network and a client to probe it from. */
export interface CycleTargets {
    run: string;
    net: string;
    web: string;
    client: string;
    /** URL of the web target as the client reaches it. */
    url: string;
}

/** What a kind's suite says about its fault. */
export interface CycleOptions {
    /** Suite title, e.g. "ContainerPause". */
    title: string;
    /** Short tag for names (`flt-<tag>-…`, `test-<tag>-…`). */
    tag: string;
    /** The experiment's fault entry without name and ttl. */
    fault(t: CycleTargets): Record<string, unknown>;
    /** Extra HostConfig for the web target (e.g. resource limits). */
    webHostConfig?: Record<string, unknown>;
    /** Records the target's exact state before any fault (compared by {@link CycleOptions.restored}). */
    snapshot(t: CycleTargets): Promise<unknown>;
    /** True while the fault is visibly in effect on the target (docker inspect). */
    inEffect(t: CycleTargets): Promise<boolean>;
    /** Whether the web target answers HTTP while the fault is in; undefined when the fault does not affect that. */
    answersDuringFault?: boolean;
    /** Undoes the fault by hand, as an operator would, outside Pulumi. */
    revertByHand(t: CycleTargets): Promise<void>;
}

/**
 * Declares the suite: inject and observe, destroy and observe recovery; refresh after an out-of-band revert;
 * the reaper's TTL revert followed by a clean no-op destroy; and the TTL revert after SIGKILL of `pulumi up`.
 */
export function faultCycleSuite(o: CycleOptions): void {
    describe(`${o.title} (real Docker, real Pulumi engine)`, { timeout: 600_000 }, () => {
        const run = runId();
        const t: CycleTargets = { run, net: `flt-${o.tag}-${run}`, web: `flt-${o.tag}-web-${run}`, client: `flt-${o.tag}-client-${run}`, url: "http://web:8080/" };
        const stackName = `test-${o.tag}-${run}`;
        let stack: Stack;
        let prior: unknown;

        const experiment = (ttl: string) => ({ name: `${o.tag}-test`, faults: [{ name: "fault", ttl, ...o.fault(t) }] });
        const restored = async () => JSON.stringify(await o.snapshot(t)) === JSON.stringify(prior);
        const noLeftovers = async () => assert.deepEqual(await faultlineContainersOf(stackName), [], "no reaper or helper container left");

        before(async () => {
            useFaultlineEnv();
            await createNetwork(t.net, run);
            await runContainer({
                name: t.web,
                run,
                network: t.net,
                aliases: ["web"],
                cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
                ...(o.webHostConfig ? { hostConfig: o.webHostConfig } : {}),
            });
            await runContainer({ name: t.client, run, network: t.net, cmd: ["sleep", "900"] });
            assert.equal(await canFetch(t.client, t.url), true, "precondition: the client reaches the target");
            prior = await o.snapshot(t);
            stack = await openStack(stackName, { experiment: experiment("10m") });
        });

        after(async () => {
            if (stack) {
                await stack.cancel().catch(() => undefined);
                await stack.refresh({ clearPendingCreates: true }).catch(() => undefined);
                await stack.destroy().catch(() => undefined);
                await removeStack(stack).catch(() => undefined);
            }
            await cleanupRun(run);
        });

        it("up injects the fault and destroy restores the exact prior state", async () => {
            const up = await stack.up();
            assert.equal(up.summary.result, "succeeded");
            assert.equal(await o.inEffect(t), true, "the fault is in effect after up");
            if (o.answersDuringFault !== undefined) {
                assert.equal(await canFetch(t.client, t.url, 2), o.answersDuringFault, "the probe during the fault");
            }
            assert.deepEqual((await faultlineContainersOf(stackName)).map((c) => c.role), ["reaper"], "one reaper guards the fault");
            const d = await stack.destroy();
            assert.equal(d.summary.result, "succeeded");
            assert.equal(await o.inEffect(t), false);
            assert.deepEqual(await o.snapshot(t), prior, "exactly as before");
            await waitFor("the target to answer again", () => canFetch(t.client, t.url), 15_000);
            await noLeftovers();
        });

        it("refresh drops a fault that was reverted outside Pulumi; destroy is then a clean no-op", async () => {
            await stack.up();
            assert.equal(await o.inEffect(t), true);
            await o.revertByHand(t);
            const r = await stack.refresh();
            assert.equal(r.summary.resourceChanges?.delete, 1, "refresh deletes the fault from state");
            const d = await stack.destroy();
            assert.equal(d.summary.result, "succeeded");
            assert.equal(d.summary.resourceChanges?.delete, 3, "only the stack, the component and the experiment metadata were left");
            assert.equal(await restored(), true);
            await noLeftovers();
        });

        it("the reaper reverts the fault when its TTL runs out; a later destroy is a clean no-op", async () => {
            await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment("5s")) });
            await stack.up();
            await waitFor("the reaper to revert the fault", restored, 30_000);
            await waitFor("the reaper to remove itself", async () => (await faultlineContainersOf(stackName)).length === 0, 15_000);
            const d = await stack.destroy();
            assert.equal(d.summary.result, "succeeded");
            assert.doesNotMatch(d.stdout, /warning/i, "nothing to warn about: the revert found the fault already undone");
            assert.equal(await restored(), true);
        });

        it("the reaper reverts the fault after pulumi up was killed with SIGKILL; the stack then destroys cleanly", async () => {
            await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment("8s")) });
            const k = await upThenKillTree(stackName, { whenSeen: () => o.inEffect(t) });
            // The reaper was armed before the fault went in, and carries its deadline (injection + TTL).
            const [reaper] = await faultlineContainersOf(stackName);
            assert.equal(reaper?.role, "reaper", "a reaper guards the fault when pulumi up dies");
            const expiresAt = Date.parse(reaper.expiresAt!);
            const back = await waitFor("the TTL revert", restored, expiresAt + 5_000 - Date.now()).catch(async (err: Error) => {
                throw new Error(`${err.message}\n${await reaperLogs(stackName)}`);
            });
            console.log(
                `${o.title}: back ${((back - k.faultsInAt) / 1000).toFixed(2)} s after the fault was seen, ` +
                    `${((back - k.killedAt) / 1000).toFixed(2)} s after SIGKILL, ${((back - expiresAt) / 1000).toFixed(2)} s after the TTL ran out (TTL 8 s)`,
            );
            await waitFor("the target to answer again", () => canFetch(t.client, t.url), 15_000);
            await waitFor("the reaper to remove itself", async () => (await faultlineContainersOf(stackName)).length === 0, 15_000);
            await recoverKilledStack(stack);
            const d = await stack.destroy();
            assert.equal(d.summary.result, "succeeded");
            await noLeftovers();
        });
    });
}
