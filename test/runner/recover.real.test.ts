// Real-engine tests of `faultline recover` (the CLI, the real Pulumi CLI with its local file backend, a real Docker
// engine): each state a crash leaves is produced for real, recover runs as a user runs it, and it must exit 0 with the
// target back as it was, no lock left, and a new `up` and `destroy` of the stack working. Nothing here runs
// `pulumi cancel` or clears pending operations itself: that is recover's job, and what these tests check.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ArmedFault } from "../../components/core/FaultResource";
import { dockerClient, inspectContainer } from "../../components/core/docker";
import { Labels, STANDBY_KIND } from "../../components/core/labels";
import { armedFaults, createReaper, reaper, STALE_CREATED_MS } from "../../components/docker/reaper";
import { armedVolumeLabels, armedVolumeName, reaperName } from "../../components/docker/reaper/reaperStore";
import { faultlineEnv, useFaultlineEnv } from "../../runner/env";
import { LOCK_DIR } from "../../runner/lock";
import { backendLocks, liveResources, openStack, pendingOperations } from "../../runner/pulumi";
import { cli } from "../helpers/cli";
import { cleanupRun, createNetwork, endpointOf, runContainer, runId, SUITE_TIMEOUT_MS } from "../helpers/docker";
import { reaperLogs, teardownStack } from "../helpers/faults";
import { waitFor } from "../helpers/wait";
import { upThenKillTree } from "../helpers/killTree";
import { summarizedByEvents } from "../helpers/pulumi";

/** The JSON report of `faultline recover --json`. */
interface Report {
    locks: Array<{ kind: string; stack: string; pid: number; detail: string }>;
    stacks: Array<{ stack: string; action: string; detail: string }>;
    reapers: Array<{ stack: string; kind: string; outcome: string; detail: string }>;
    repairs: Array<{ stack: string; state: string; action: string }>;
    left: string[];
}

/** Runs `faultline recover --stack <stack> --json`; returns its exit code and report. */
async function recoverCli(stack: string): Promise<{ code: number; report: Report; stderr: string }> {
    const r = cli(["recover", "--stack", stack, "--json"]);
    const code = await r.exit;
    return { code, report: JSON.parse(r.stdout() || "{}") as Report, stderr: r.stderr() };
}

/** Containers and armed-fault volumes faultline has on the engine for a stack. */
async function leftOnEngine(stack: string) {
    const filters = JSON.stringify({ label: [`${Labels.stack}=${stack}`, `${Labels.managed}=true`] });
    const containers = (await dockerClient().listContainers({ all: true, filters })).map((c) => `${c.Names[0]} ${c.State}`);
    const { Volumes } = await dockerClient().listVolumes({ filters });
    return { containers, volumes: (Volumes ?? []).map((v) => v.Name) };
}

/** A new `up` and `destroy` of the stack both succeed, and destroy leaves nothing on the engine. */
async function upAndDestroyWork(stackName: string): Promise<void> {
    const stack = summarizedByEvents(await openStack(stackName));
    assert.equal((await stack.up()).summary.result, "succeeded");
    assert.equal((await stack.destroy()).summary.result, "succeeded");
    await waitFor("destroy to leave nothing", async () => (await leftOnEngine(stackName)).containers.length === 0, 15_000);
    assert.deepEqual(await leftOnEngine(stackName), { containers: [], volumes: [] });
}

describe("faultline recover (real Docker, real Pulumi CLI)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const net = `flt-rec-${run}`;
    const cut = `flt-rec-cut-${run}`;
    const stacks: string[] = [];
    let prior: Awaited<ReturnType<typeof endpointOf>>;

    /** A stack whose experiment cuts `cut` off the network for `ttl`. */
    const partitionStack = async (name: string, ttl = "10m") => {
        const stackName = `test-recover-${name}-${run}`;
        stacks.push(stackName);
        await openStack(stackName, {
            experiment: { name: `recover-${name}`, faults: [{ name: "partition", kind: "docker:network-disconnect", container: cut, network: net, ttl }] },
        });
        return stackName;
    };
    const isCut = async () => (await endpointOf(cut, net)) === undefined;

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        await runContainer({ name: cut, run, network: net, aliases: ["cut"], cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
        prior = await endpointOf(cut, net);
    });

    after(async () => {
        for (const name of stacks) {
            const stack = await openStack(name).catch(() => undefined);
            if (!stack) continue;
            await teardownStack(stack);
            const filters = JSON.stringify({ label: [`${Labels.stack}=${name}`] });
            for (const c of await dockerClient().listContainers({ all: true, filters })) await dockerClient().getContainer(c.Id).remove({ force: true }).catch(() => undefined);
            for (const v of (await dockerClient().listVolumes({ filters })).Volumes ?? []) await dockerClient().getVolume(v.Name).remove().catch(() => undefined);
        }
        await cleanupRun(run);
    });

    /** After recover: exit 0, nothing left, the target as before, no lock, and the stack usable again. */
    const assertRecovered = async (stackName: string, r: { code: number; report: Report; stderr: string }) => {
        assert.equal(r.code, 0, `recover exit code; left: ${JSON.stringify(r.report.left)}\n${r.stderr}`);
        assert.deepEqual(r.report.left, []);
        assert.deepEqual(await endpointOf(cut, net), prior, "the target is attached exactly as before");
        assert.deepEqual(backendLocks(stackName), [], "no pulumi lock left");
        const stack = await openStack(stackName);
        assert.deepEqual(await liveResources(stack), []);
        assert.equal(await pendingOperations(stack), 0);
        assert.deepEqual(await leftOnEngine(stackName), { containers: [], volumes: [] }, "no reaper, helper or armed record left");
        await upAndDestroyWork(stackName);
    };

    it("a pulumi up killed (whole tree) the instant the fault is in: clears its lock, reverts, and the stack works again", async () => {
        const stackName = await partitionStack("instant");
        // The kill comes when the probe sees the target cut; on a loaded machine that look can take long enough for
        // the update to end first (fault in, lock released), which is not the state under test: that update is
        // destroyed, reverting its fault, and the kill tried again.
        let locks: ReturnType<typeof backendLocks> = [];
        for (let attempt = 1; ; attempt++) {
            const { finishedFirst } = await upThenKillTree(stackName, { whenSeen: isCut });
            locks = backendLocks(stackName);
            if (locks.length > 0 || attempt === 3) break;
            console.log(`attempt ${attempt}: the update ended before the kill (ended first: ${finishedFirst}); destroying it and trying again`);
            assert.equal((await summarizedByEvents(await openStack(stackName)).destroy()).summary.result, "succeeded");
        }
        assert.equal(await isCut(), true, "precondition: the fault is in");
        assert.equal(locks.length, 1, "precondition: the killed update's lock is left (the update ended before the kill 3 times)");
        assert.equal(locks[0]!.alive, false);

        const r = await recoverCli(stackName);
        assert.deepEqual(r.report.locks.map((l) => [l.kind, l.stack, l.pid]), [["pulumi", stackName, locks[0]!.pid]]);
        await assertRecovered(stackName, r);
    });

    for (const trial of [1, 2]) {
        it(`a pulumi up killed (whole tree) at a random moment (trial ${trial}): recover exits 0 and the stack works again`, async () => {
            const stackName = await partitionStack(`random${trial}`);
            const delayMs = 1_000 + Math.random() * 7_000;
            const { output, finishedFirst } = await upThenKillTree(stackName, { afterMs: delayMs });
            console.log(`trial ${trial}: killed ${(delayMs / 1000).toFixed(1)} s after the start (ended first: ${finishedFirst}); fault in: ${await isCut()}; locks: ${backendLocks(stackName).length}; output: ${output.split("\n").filter(Boolean).length} lines`);
            const r = await recoverCli(stackName);
            await assertRecovered(stackName, r).catch(async (err: Error) => {
                throw new Error(`${err.message}\n${JSON.stringify(r.report, null, 2)}\n${await reaperLogs(stackName)}`);
            });
        });
    }

    it("a reaper created but never started (an arm killed between the two): recover clears it, and up works", async () => {
        const stackName = await partitionStack("created");
        // What the arm of an experiment's standby leaves when killed between create and start: its record, and a
        // container without its program.
        const standby: ArmedFault = {
            id: `standby/faultline/${stackName}/recover-created`,
            kind: STANDBY_KIND,
            record: null,
            owner: { project: "faultline", stack: stackName, experiment: "recover-created", fault: "", kind: STANDBY_KIND },
            expiresAt: Date.now() + 600_000,
        };
        const name = reaperName(standby.owner);
        await dockerClient().createVolume({ Name: armedVolumeName(standby.id), Labels: armedVolumeLabels(standby, name) });
        assert.ok(await createReaper(name, standby));
        assert.equal((await inspectContainer(name))?.State.Status, "created");

        const r = await recoverCli(stackName);
        assert.deepEqual(r.report.reapers.map((x) => [x.kind, x.outcome]), [[STANDBY_KIND, "reverted"]], "the orphaned standby expired");
        await assertRecovered(stackName, r);
    });

    it("a reaper left created makes the next up replace it, once it is stale; until then, recover reports it", async () => {
        const stackName = await partitionStack("created-up", "30s");
        const owner = { project: "faultline", stack: stackName, experiment: "recover-created-up", fault: "", kind: STANDBY_KIND };
        const name = reaperName(owner);
        const left = await createReaper(name, { id: "x", kind: STANDBY_KIND, record: null, owner, expiresAt: 0 });
        assert.ok(left);
        const createdAt = Date.parse((await inspectContainer(name))!.Created);
        // The next up waits until the container is stale, replaces it, and goes on.
        const stack = summarizedByEvents(await openStack(stackName));
        assert.equal((await stack.up()).summary.result, "succeeded");
        assert.ok(Date.now() - createdAt >= STALE_CREATED_MS);
        const info = await inspectContainer(name);
        assert.notEqual(info?.Id, left.id, "replaced by a new reaper");
        assert.equal(info?.State.Running, true);
        assert.equal(await isCut(), true);
        assert.equal((await stack.destroy()).summary.result, "succeeded");
        assert.deepEqual(await endpointOf(cut, net), prior);
    });

    it("an orphaned standby (its stack no longer holds the experiment) expires", async () => {
        const stackName = await partitionStack("standby");
        const owner = { project: "faultline", stack: stackName, experiment: "gone", fault: "", kind: STANDBY_KIND };
        await reaper.arm({ id: `standby/faultline/${stackName}/gone`, kind: STANDBY_KIND, record: null, owner, expiresAt: Date.now() + 600_000 });
        assert.equal((await armedFaults({ stack: stackName })).length, 1, "precondition: the standby is armed and its reaper runs");

        const r = await recoverCli(stackName);
        assert.deepEqual(r.report.reapers.map((x) => [x.kind, x.outcome]), [[STANDBY_KIND, "reverted"]]);
        await assertRecovered(stackName, r);
    });

    it("a runner lock whose process is dead is removed; a live one makes recover exit 2 naming it", async () => {
        const stackName = await partitionStack("runner-lock");
        const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
        const deadPid = Number(dead.stdout.toString());
        const file = path.join(LOCK_DIR, `${stackName}.lock`);
        fs.mkdirSync(LOCK_DIR, { recursive: true });
        fs.writeFileSync(file, JSON.stringify({ pid: deadPid, host: os.hostname(), command: "faultline run", startedAt: new Date().toISOString() }));

        const r = await recoverCli(stackName);
        assert.deepEqual(r.report.locks.map((l) => [l.kind, l.pid]), [["runner", deadPid]]);
        assert.equal(fs.existsSync(file), false, "the dead run's lock is gone");
        await assertRecovered(stackName, r);

        // A live holder (this test process) is left alone, and recover says what is left and what to do.
        fs.writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), command: "faultline run", startedAt: new Date().toISOString() }));
        try {
            const held = cli(["recover", "--stack", stackName]);
            assert.equal(await held.exit, 2, held.stdout() + held.stderr());
            assert.match(held.stdout(), new RegExp(`NOT RECOVERED: 1 thing\\(s\\) left\\n  stack ${stackName}: a running faultline holds it \\(pid ${process.pid}, faultline run\\); wait for it to end`));
            assert.equal(fs.existsSync(file), true);
        } finally {
            fs.rmSync(file, { force: true });
        }
    });

    it("a pulumi lock whose process is alive is left, and recover exits 2 naming it", async () => {
        const stackName = await partitionStack("live-lock");
        const dir = path.join(faultlineEnv().PULUMI_BACKEND_URL!.slice("file://".length), ".pulumi", "locks", "organization", "faultline", stackName);
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, "live.json");
        fs.writeFileSync(file, JSON.stringify({ pid: process.pid, username: "root", hostname: os.hostname(), timestamp: new Date().toISOString() }));
        try {
            const held = cli(["recover", "--stack", stackName]);
            assert.equal(await held.exit, 2, held.stdout() + held.stderr());
            assert.match(held.stdout(), new RegExp(`stack ${stackName}: pulumi update pid ${process.pid} \\(since [^)]+\\) holds its lock; wait for it to end, or kill it`));
            assert.equal(fs.existsSync(file), true, "a live update's lock is never removed");
        } finally {
            fs.rmSync(file, { force: true });
        }
    });
});
