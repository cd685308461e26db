// Real-engine test of withFault (testing/): a container pause around a block, through the provider's own inject
// sequence (components/core/lifecycle.ts) with no Pulumi stack. The SIGKILL case is in examples.real.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { dockerClient } from "../../components/core/docker";
import { engageHalt, HaltedError, releaseHalt } from "../../components/core/halt";
import { Labels, STANDBY_KIND } from "../../components/core/labels";
import { armedFaults } from "../../components/docker/reaper";
import { parseFault, withFault, type WithFaultOptions } from "../../testing";
import { cleanupRun, runContainer, runId, SUITE_TIMEOUT_MS } from "../helpers/docker";
import { waitFor } from "../helpers/wait";

describe("parseFault: the kind's own schema", () => {
    it("reports every issue at once, each with its field and fix", () => {
        assert.throws(() => parseFault({ kind: "docker:container-pause", ttl: 30, targt: { name: "x" } }), {
            name: "SpecError",
            message: [
                "invalid docker:container-pause fault:",
                '  - ttl: 30ms is too short for a time-to-live or window (at least 1s); a bare number is milliseconds; write "30s" for 30 seconds',
                '  - target: required: which containers to pause, e.g. { name: "web" }',
                "  - targt: unknown field; remove it or check its spelling against the documented fields",
            ].join("\n"),
        });
    });

    it("names the kinds it knows when the kind is unknown", () => {
        assert.throws(() => parseFault({ kind: "docker:container-paws", ttl: "30s" }), (err: Error) =>
            err.message.startsWith('invalid fault:\n  - kind: unknown fault kind "docker:container-paws"; use one of: docker:network-disconnect,') &&
            err.message.includes("docker:container-pause"),
        );
    });
});

describe("withFault (real Docker, no Pulumi)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const target = `flt-tk-wf-${run}`;
    const bare = `flt-tk-wf-bare-${run}`;
    const opts: WithFaultOptions = { owner: { stack: `test-tk-wf-${run}` }, standby: "5s" };
    const stack = opts.owner!.stack!;
    /** The faults armed in the stack's reaper, without its standby. */
    const armedFaultsOf = async () => (await armedFaults({ stack })).filter((a) => a.id !== "" && a.kind !== STANDBY_KIND);
    const reapers = async () => (await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [`${Labels.stack}=${stack}`, `${Labels.role}=reaper`] }) })).map((c) => c.Id);
    const paused = async (name: string) => (await dockerClient().getContainer(name).inspect()).State.Paused;
    const pause = (name: string) => ({ kind: "docker:container-pause", target: { name }, ttl: "2m" });

    before(async () => {
        await runContainer({ name: target, run, cmd: ["sleep", "900"] });
        await runContainer({ name: bare, run, cmd: ["sleep", "900"], optIn: false });
    });

    after(async () => {
        await cleanupRun(run);
        // The stack's reaper retires once its standby ends; wait for that, so nothing is left.
        await waitFor("the test stack's reaper retires", async () => (await reapers()).length === 0, 60_000).catch(async () => {
            for (const id of await reapers()) await dockerClient().getContainer(id).remove({ force: true });
        });
    });

    it("injects through the reaper, exposes observe and the targets, reverts after the block and returns its value", async () => {
        const result = await withFault(pause(target), async (fault) => {
            assert.equal(await paused(target), true);
            assert.deepEqual(await fault.observe(), { active: true, detail: `paused: ${target}` });
            assert.deepEqual(fault.targets.map((t) => t.name), [target]);
            const armed = await armedFaultsOf();
            assert.deepEqual(armed.map((a) => [a.id, a.kind, a.expiresAt]), [[fault.id, "docker:container-pause", fault.expiresAt.getTime()]]);
            // The TTL counts from the start of the sequence (before the reaper is armed), injectedAt from apply.
            const ttlLeft = fault.expiresAt.getTime() - fault.injectedAt.getTime();
            assert.ok(ttlLeft <= 120_000 && ttlLeft > 100_000, `expires ${ttlLeft} ms after injection, expected just under the 2 min ttl`);
            return "done";
        }, opts);
        assert.equal(result, "done");
        assert.equal(await paused(target), false);
        assert.deepEqual((await armedFaultsOf()), []);
    });

    it("keeps the stack's reaper standing by between faults, so the next fault finds it running", async () => {
        const [reaper, ...more] = await reapers();
        assert.ok(reaper, "no reaper stands by after the first fault");
        assert.equal(more.length, 0);
        await withFault(pause(target), async () => assert.deepEqual(await reapers(), [reaper]), opts);
        assert.deepEqual(await reapers(), [reaper]);
    });

    it("reverts when the block throws, and rethrows the block's own error", async () => {
        const boom = new Error("the code under test failed");
        let observed: (() => Promise<{ active: boolean }>) | undefined;
        await assert.rejects(
            withFault(pause(target), async (fault) => {
                observed = () => fault.observe();
                throw boom;
            }, opts),
            (err) => err === boom,
        );
        assert.equal(await paused(target), false);
        assert.deepEqual(await observed!(), { active: false, detail: `not paused: ${target}` });
    });

    it("refuses a container without the opt-in label: nothing paused, nothing armed, the block never runs", async () => {
        let ran = false;
        await assert.rejects(withFault({ ...pause(bare), name: "bare-pause" }, () => (ran = true), opts), {
            message: `fault "bare-pause" was not injected: targets: "${bare}" is not opted in to faults: it lacks the label chaos.opt-in=true; add it (\`docker run --label chaos.opt-in=true\`, or in compose \`labels: { chaos.opt-in: "true" }\`), or opt this experiment out with allowUnlabelledTargets: true`,
        });
        assert.equal(ran, false);
        assert.equal(await paused(bare), false);
        assert.deepEqual((await armedFaultsOf()), []);
    });

    it("is refused while the halt lever is engaged, like any injection", async () => {
        const lever = `flt-tk-halt-${run}`;
        const before = process.env.FAULTLINE_HALT_LEVER;
        process.env.FAULTLINE_HALT_LEVER = lever;
        try {
            await engageHalt({ name: lever, reason: "withFault test" });
            let ran = false;
            await assert.rejects(withFault(pause(target), () => (ran = true), opts), (err) => err instanceof HaltedError && err.lever.name === lever);
            assert.equal(ran, false);
            assert.equal(await paused(target), false);
        } finally {
            await releaseHalt(lever);
            if (before === undefined) delete process.env.FAULTLINE_HALT_LEVER;
            else process.env.FAULTLINE_HALT_LEVER = before;
        }
    });
});
