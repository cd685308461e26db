// A real-engine test suite every fault kind runs: the real Pulumi CLI (Automation API, local backend) and a real
// Docker engine, from injection to every way a fault is rolled back.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { openStack } from "../../runner/pulumi";
import { canFetch, cleanupRun, createNetwork, runContainer, runId, type RunContainerOptions, SUITE_TIMEOUT_MS } from "./docker";
import { faultlineContainersOf, reaperLogs, recoverKilledStack, teardownStack } from "./faults";
import { waitFor } from "./wait";
import { upThenKillTree } from "./killTree";
import { setExperiment, summarizedByEvents } from "./pulumi";

/**
 * How long before a fault's TTL runs out the suite checks that it is still in (see stillInBeforeTtl): more than the
 * longest `restored` probe takes (cpu-stress measures over 1 s).
 */
const STILL_IN_MARGIN_MS = 1_500;

/** The containers of one suite: a web target on its own network and a client to probe it from. */
export interface CycleTargets {
    run: string;
    net: string;
    web: string;
    client: string;
    /** URL of the web target as the client reaches it. */
    url: string;
    /** The suite's stack, e.g. for names a fault derives from it (a fill file, a helper). */
    stack: string;
}

/** What the suite hands a kind's own extra tests (see {@link CycleOptions.extraTests}). */
export interface CycleContext {
    t: CycleTargets;
    /** The suite's stack, opened in `before`; each extra test sets its own experiment on it and leaves it destroyed. */
    stack(): Stack;
    /** The experiment of the suite's fault with `fields` over it (the kind's own variants) and a TTL. */
    experiment(ttl: string, fields?: Record<string, unknown>): Record<string, unknown>;
}

/** What a kind's suite says about its fault. */
export interface CycleOptions {
    /** Suite title, e.g. "ContainerPause". */
    title: string;
    /** Short tag for names (`flt-<tag>-…`, `test-<tag>-…`). */
    tag: string;
    /** The experiment's fault entry without name and ttl. */
    fault(t: CycleTargets): Record<string, unknown>;
    /**
     * How the web target differs from a busybox httpd on port 8080: another image or command (it must still answer
     * HTTP on 8080 for the client's probe), environment, tmpfs, a memory limit, extra HostConfig, more aliases than
     * "web" (keep "web"), a published port.
     */
    web?: Partial<Pick<RunContainerOptions, "image" | "cmd" | "env" | "tmpfs" | "memory" | "hostConfig" | "aliases" | "publish">>;
    /** How the client differs from a busybox `sleep` (e.g. an httpd, for faults that cut both ways). */
    client?: Partial<Pick<RunContainerOptions, "image" | "cmd" | "env">>;
    /** Runs once the targets are up, before the prior state is recorded (e.g. files the fault must leave alone). */
    prepare?(t: CycleTargets): Promise<void>;
    /** Records the target's exact state before any fault (compared by {@link CycleOptions.restored}). */
    snapshot(t: CycleTargets): Promise<unknown>;
    /**
     * True when the target is back as it was. Defaults to the snapshot being equal to the prior one; a kind whose
     * state is measured (CPU, memory, a clock) says what "back" means, and then `snapshot` is not compared.
     */
    restored?(t: CycleTargets, prior: unknown): Promise<boolean>;
    /**
     * True while the fault is visibly in effect on the target. `prior` is the snapshot before the fault; for a
     * one-shot kind (see {@link CycleOptions.oneShot}) it is retaken before each `up`, so "in effect" means "it
     * happened since".
     */
    inEffect(t: CycleTargets, prior: unknown): Promise<boolean>;
    /**
     * For a one-shot fault (a restart): it is over when `up` returns, so nothing is left in effect to see go.
     * `inEffect` then says the fault happened since the snapshot taken before each `up`; after `destroy` the suite
     * checks `restored` only; and `cutShort` stands in for an injection cut short by a kill (a restart stopped between
     * its stop and its start), which the reaper's TTL revert must then mend.
     */
    oneShot?: { cutShort(t: CycleTargets): Promise<void> };
    /**
     * How long the effect may take to show after `up` (a stressor warming up, a clock read on the next tick).
     * Defaults to 0: checked at once.
     */
    showsWithinMs?: number;
    /** How long the effect may take to go after `destroy`. Defaults to 0: checked at once. */
    goesWithinMs?: number;
    /** How many helper containers the fault keeps while it is in (a stressor: 1). Defaults to 0. */
    helpers?: number;
    /** Whether the web target answers HTTP while the fault is in; undefined when the fault does not affect that. */
    answersDuringFault?: boolean;
    /** The kind's own checks of the first `up`'s result and effect (what it prints, exact sizes), before destroy. */
    checkUp?(t: CycleTargets, up: UpResult): Promise<void>;
    /** The kind's own checks after the first `destroy` (e.g. the speed of a transfer), once the target is back. */
    checkDown?(t: CycleTargets): Promise<void>;
    /** Undoes the fault by hand, as an operator would, outside Pulumi. */
    revertByHand(t: CycleTargets): Promise<void>;
    /** Declares the kind's own tests (`it`), run after the cycle on the same targets and stack. */
    extraTests?(c: CycleContext): void;
}

/**
 * Declares the suite: inject and observe, destroy and observe recovery; refresh after an out-of-band revert;
 * the reaper's TTL revert followed by a clean no-op destroy; and the TTL revert after SIGKILL of `pulumi up`.
 */
export function faultCycleSuite(o: CycleOptions): void {
    describe(`${o.title} (real Docker, real Pulumi engine)`, { timeout: SUITE_TIMEOUT_MS }, () => {
        const run = runId();
        const stackName = `test-${o.tag}-${run}`;
        const t: CycleTargets = { run, net: `flt-${o.tag}-${run}`, web: `flt-${o.tag}-web-${run}`, client: `flt-${o.tag}-client-${run}`, url: "http://web:8080/", stack: stackName };
        let stack: Stack;
        let prior: unknown;

        /** A one-shot kind's effect is "it happened since": its baseline is retaken before each `up`. */
        const baseline = async () => {
            if (o.oneShot) prior = await o.snapshot(t);
        };
        const experiment = (ttl: string, fields: Record<string, unknown> = {}) => ({ name: `${o.tag}-test`, faults: [{ name: "fault", ttl, ...o.fault(t), ...fields }] });
        const restored = async () => (o.restored ? o.restored(t, prior) : JSON.stringify(await o.snapshot(t)) === JSON.stringify(prior));
        /** Waits for the fault's effect to be `on` (or off) as long as the kind allows, or checks it at once. */
        const effectIs = async (on: boolean, what: string) => {
            const within = on ? o.showsWithinMs : o.goesWithinMs;
            if (!on && o.oneShot) {
                await waitFor("back as before", restored, within ?? 0);
                return;
            }
            if (within) await waitFor(what, async () => (await o.inEffect(t, prior)) === on, within);
            else assert.equal(await o.inEffect(t, prior), on, what);
            if (!on && o.restored) await waitFor("back as before", () => o.restored!(t, prior), within ?? 0);
        };
        /** When the stack's armed fault runs out (its reaper's record), or undefined once nothing is armed. */
        const armedUntil = async () => {
            const at = (await faultlineContainersOf(stackName)).find((c) => c.role === "reaper")?.expiresAt;
            return at === undefined ? undefined : Date.parse(at);
        };
        /**
         * Sleeps until shortly before the TTL runs out, then checks that the fault is still in: a reaper that reverts
         * early fails here, and the suite's probes (a `docker exec` each, about 50 ms of CPU on a tier bound by CPU)
         * start only when the revert is due. Skipped when that moment has passed already (a slow `up`), and a probe
         * that ends after the TTL proves nothing.
         */
        const stillInBeforeTtl = async (expiresAt: number | undefined) => {
            if (expiresAt === undefined) return;
            const checkAt = expiresAt - STILL_IN_MARGIN_MS;
            await new Promise((r) => setTimeout(r, Math.max(0, checkAt - Date.now())));
            if (Date.now() > checkAt + 200) return;
            const back = await restored();
            if (Date.now() < expiresAt) assert.equal(back, false, "the fault is still in shortly before its TTL runs out");
        };
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
                ...o.web,
            });
            // Longer than SUITE_TIMEOUT_MS: on a loaded machine a suite can outlast a 15-minute sleep.
            await runContainer({ name: t.client, run, network: t.net, cmd: ["sleep", "3600"], ...o.client });
            await waitFor("precondition: the client reaches the target", () => canFetch(t.client, t.url), 15_000);
            await o.prepare?.(t);
            prior = await o.snapshot(t);
            // Summaries from the engine's events: no `stack history` or `stack output` after each command.
            stack = summarizedByEvents(await openStack(stackName));
            await setExperiment(stack, experiment("10m"));
        });

        after(async () => {
            if (stack) {
                await teardownStack(stack);
            }
            await cleanupRun(run);
        });

        it("up injects the fault and destroy restores the exact prior state", async () => {
            await baseline();
            const up = await stack.up();
            assert.equal(up.summary.result, "succeeded");
            await effectIs(true, "the fault is in effect after up");
            if (o.answersDuringFault !== undefined) {
                assert.equal(await canFetch(t.client, t.url, 2), o.answersDuringFault, "the probe during the fault");
            }
            assert.deepEqual(
                (await faultlineContainersOf(stackName)).map((c) => c.role),
                [...Array<string>(o.helpers ?? 0).fill("helper"), "reaper"],
                "one reaper guards the fault, beside the fault's own helpers",
            );
            await o.checkUp?.(t, up);
            const d = await stack.destroy();
            assert.equal(d.summary.result, "succeeded");
            await effectIs(false, "the fault is gone after destroy");
            if (!o.restored) assert.deepEqual(await o.snapshot(t), prior, "exactly as before");
            await waitFor("the target to answer again", () => canFetch(t.client, t.url), 15_000);
            await o.checkDown?.(t);
            await noLeftovers();
        });

        it("refresh drops a fault that was reverted outside Pulumi; destroy is then a clean no-op", async () => {
            await setExperiment(stack, experiment("10m"));
            await baseline();
            await stack.up();
            await effectIs(true, "the fault is in effect after up");
            await o.revertByHand(t);
            const r = await stack.refresh();
            assert.equal(r.summary.resourceChanges?.delete, 1, "refresh deletes the fault from state");
            const d = await stack.destroy();
            assert.equal(d.summary.result, "succeeded");
            assert.equal(d.summary.resourceChanges?.delete, 3, "only the stack, the component and the experiment metadata were left");
            // A kind whose target sees a revert late (clock-skew: libfaketime's cache in the running process) is given
            // the time it states, counted from the revert by hand; the others are checked at once.
            await waitFor("back as before after the revert by hand", restored, o.goesWithinMs ?? 0);
            await noLeftovers();
        });

        it("the reaper reverts the fault when its TTL runs out; a later destroy is a clean no-op", async () => {
            // A one-shot kind is cut short after `up` returns, which must be before the TTL runs out: a loaded
            // machine can take longer than 5 s for the `up`, so its TTL is longer.
            const ttlS = o.oneShot ? 30 : 5;
            await setExperiment(stack, experiment(`${ttlS}s`));
            await baseline();
            await stack.up();
            const expiresAt = await armedUntil();
            if (o.oneShot) {
                assert.ok(expiresAt !== undefined && expiresAt > Date.now() + 1000, `up took longer than the ${ttlS} s TTL; re-run when the machine is less loaded`);
                await o.oneShot.cutShort(t);
            }
            await stillInBeforeTtl(expiresAt);
            await waitFor("the reaper to revert the fault", restored, (ttlS + 25) * 1000);
            await waitFor("the reaper to remove itself", async () => (await faultlineContainersOf(stackName)).length === 0, 15_000);
            const d = await stack.destroy();
            assert.equal(d.summary.result, "succeeded");
            assert.deepEqual(d.summary.resourceChanges, { delete: 4 }, "stack, component, fault and experiment metadata");
            assert.doesNotMatch(d.stdout, /warning/i, "nothing to warn about: the revert found the fault already undone");
            assert.equal(await restored(), true);
        });

        it("the reaper reverts the fault after pulumi up was killed with SIGKILL; the stack then destroys cleanly", async () => {
            // A one-shot kind is cut short after the kill, which must be before the TTL runs out (see above).
            const ttlS = o.oneShot ? 20 : 8;
            await setExperiment(stack, experiment(`${ttlS}s`));
            await baseline();
            const k = await upThenKillTree(stackName, { whenSeen: () => o.inEffect(t, prior) });
            await o.oneShot?.cutShort(t);
            // The reaper was armed before the fault went in, and carries its deadline (injection + TTL).
            const reaper = (await faultlineContainersOf(stackName)).find((c) => c.role === "reaper");
            assert.ok(reaper, "a reaper guards the fault when pulumi up dies (beside the fault's own helpers)");
            const expiresAt = Date.parse(reaper.expiresAt!);
            await stillInBeforeTtl(expiresAt);
            await waitFor("the TTL revert", restored, expiresAt + 5_000 - Date.now()).catch(async (err: Error) => {
                throw new Error(`${err.message}\n${await reaperLogs(stackName)}`);
            });
            const back = Date.now();
            console.log(
                `${o.title}: back ${((back - k.faultsInAt) / 1000).toFixed(2)} s after the fault was seen, ` +
                    `${((back - k.killedAt) / 1000).toFixed(2)} s after SIGKILL, ${((back - expiresAt) / 1000).toFixed(2)} s after the TTL ran out (TTL ${ttlS} s)`,
            );
            await waitFor("the target to answer again", () => canFetch(t.client, t.url), 15_000);
            await waitFor("the reaper to remove itself", async () => (await faultlineContainersOf(stackName)).length === 0, 15_000);
            await recoverKilledStack(stack);
            const d = await stack.destroy();
            assert.equal(d.summary.result, "succeeded");
            await noLeftovers();
        });

        o.extraTests?.({ t, stack: () => stack, experiment });
    });
}
