// Real-engine test: every Toxiproxy fault kind through the real Pulumi CLI (Automation API, local file backend), a
// real Toxiproxy, a real upstream and a real client on one Docker network. One `up` injects all of them at once (one
// proxy per fault), so a full cycle covers every kind; the kill -9 test does the same with a short time-to-live.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { dockerClient } from "../../../components/core/docker";
import { STANDBY_KIND } from "../../../components/core/labels";
import { armedFaults } from "../../../components/docker/reaper";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { cleanupRun, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { upThenKillTree } from "../../helpers/killTree";
import { setExperiment, summarizedByEvents } from "../../helpers/pulumi";
import {
    BIG_BYTES,
    createProxy,
    probe,
    SMALL_BYTES,
    startToxiproxyEnv,
    toxiproxyApi,
    type Probe,
    type ToxiproxyEnv,
} from "../../helpers/toxiproxy";

/** One fault per proxy: its listen port, the experiment entry (without name, ttl, toxiproxy) and what the client sees. */
interface Case {
    port: number;
    path: string;
    fault: Record<string, unknown>;
    /** Asserts the fault's effect on a probe. */
    hurt(p: Probe): void;
}

const CASES: Record<string, Case> = {
    latency: {
        port: 21001,
        path: "/small",
        fault: { kind: "docker:toxiproxy-toxic", type: "latency", latency: "1500ms", jitter: "100ms" },
        hurt: (p) => assert.ok(p.firstByteMs >= 1300 && p.error === "", `first byte after ${p.firstByteMs} ms, expected ≥ 1300`),
    },
    bandwidth: {
        port: 21002,
        path: "/big",
        fault: { kind: "docker:toxiproxy-toxic", type: "bandwidth", rate: 50 },
        // 100 KB at 50 KB/s.
        hurt: (p) => assert.ok(p.endMs >= 1800 && p.bytes > BIG_BYTES, `100 KB in ${p.endMs} ms, expected ≥ 1800`),
    },
    timeout: {
        port: 21003,
        path: "/small",
        fault: { kind: "docker:toxiproxy-toxic", type: "timeout", timeout: "1s", stream: "upstream" },
        hurt: (p) => assert.ok(p.bytes === 0 && p.endMs >= 900, `${p.bytes} bytes, closed after ${p.endMs} ms; expected nothing for ≥ 900 ms`),
    },
    "reset-peer": {
        port: 21004,
        path: "/small",
        fault: { kind: "docker:toxiproxy-toxic", type: "reset_peer" },
        hurt: (p) => assert.equal(p.error, "ECONNRESET"),
    },
    "slow-close": {
        port: 21005,
        path: "/small",
        fault: { kind: "docker:toxiproxy-toxic", type: "slow_close", delay: "1500ms" },
        // The delay runs from the upstream's close, which may come before the client has read the last byte.
        hurt: (p) => assert.ok(p.bytes > SMALL_BYTES && p.error === "" && p.endMs >= 1400, `full answer, closed after ${p.endMs} ms, expected ≥ 1400`),
    },
    "limit-data": {
        port: 21006,
        path: "/small",
        fault: { kind: "docker:toxiproxy-toxic", type: "limit_data", bytes: 300 },
        hurt: (p) => assert.equal(p.bytes, 300),
    },
    slicer: {
        port: 21007,
        path: "/small",
        fault: { kind: "docker:toxiproxy-toxic", type: "slicer", averageSize: 10, delay: "10ms" },
        hurt: (p) => assert.ok(p.chunks >= 50 && p.endMs >= 500, `${p.chunks} reads over ${p.endMs} ms, expected ≥ 50 reads over ≥ 500 ms`),
    },
    down: {
        port: 21008,
        path: "/small",
        fault: { kind: "docker:dependency-down" },
        hurt: (p) => assert.equal(p.error, "ECONNREFUSED"),
    },
    // The same fault through a Toxiproxy given by URL: its reaper runs on the host's network.
    "down-url": {
        port: 21009,
        path: "/small",
        fault: { kind: "docker:dependency-down" },
        hurt: (p) => assert.equal(p.error, "ECONNREFUSED"),
    },
};

function assertHealthy(name: string, p: Probe): void {
    const full = CASES[name]!.path === "/big" ? BIG_BYTES : SMALL_BYTES;
    assert.ok(p.error === "" && p.bytes > full && p.endMs < 1000, `${name}: not healthy: ${JSON.stringify(p)}`);
}

async function probeAll(env: ToxiproxyEnv, names = Object.keys(CASES)): Promise<Record<string, Probe>> {
    const out: Record<string, Probe> = {};
    // One at a time: the timing bounds should not depend on probes competing for two cores.
    for (const n of names) out[n] = await probe(env, CASES[n]!.port, CASES[n]!.path);
    return out;
}

/** Toxics and enabled flags of every proxy, from the API. */
async function proxyState(env: ToxiproxyEnv): Promise<Record<string, { enabled: boolean; toxics: string[] }>> {
    const r = await toxiproxyApi(env, "GET", "/proxies");
    return Object.fromEntries(
        Object.entries<any>(r.body).map(([k, v]) => [k, { enabled: v.enabled, toxics: v.toxics.map((t: any) => t.name) }]),
    );
}

/** True while the fault on proxy `name` is in effect, as the API shows it. */
function inEffect(state: Awaited<ReturnType<typeof proxyState>>, name: string): boolean {
    const p = state[name]!;
    return CASES[name]!.fault.kind === "docker:dependency-down" ? !p.enabled : p.toxics.length > 0;
}

/** The faults armed in a stack's reapers. */
async function armed(stack: string) {
    return (await armedFaults({ stack })).filter((a) => a.id !== "" && a.kind !== STANDBY_KIND);
}

/** A stack's reaper containers. */
async function reapers(stack: string) {
    const filters = JSON.stringify({ label: [`dev.faultline.stack=${stack}`, "dev.faultline.role=reaper"] });
    return dockerClient().listContainers({ all: true, filters });
}

describe("Toxiproxy faults (real Docker, real Pulumi engine)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const stackName = `test-toxi-${run}`;
    let env: ToxiproxyEnv;
    let stack: Stack;

    const experiment = (ttl: string, only?: Record<string, Record<string, unknown>>) => ({
        name: "toxi-test",
        // A Toxiproxy reached by URL (down-url) has no container to carry the opt-in label: the experiment opts
        // out, so the provider warns about it instead of refusing it. The Toxiproxy container is labelled.
        allowUnlabelledTargets: true,
        faults: Object.entries(only ?? Object.fromEntries(Object.entries(CASES).map(([n, c]) => [n, c.fault]))).map(([name, fault]) => ({
            name,
            ttl,
            toxiproxy: name === "down-url" ? { url: env.api } : { container: env.toxiproxy },
            proxy: name,
            ...fault,
        })),
    });

    before(async () => {
        useFaultlineEnv();
        env = await startToxiproxyEnv("flt-tx", run);
        for (const [name, c] of Object.entries(CASES)) await createProxy(env, name, c.port);
        const baseline = await probeAll(env);
        for (const [n, p] of Object.entries(baseline)) assertHealthy(n, p);
        stack = summarizedByEvents(await openStack(stackName, { experiment: experiment("10m") }));
    });

    after(async () => {
        if (stack) {
            await stack.cancel().catch(() => undefined);
            await stack.destroy().catch(() => undefined);
            await removeStack(stack).catch(() => undefined);
        }
        for (const r of await reapers(stackName)) await dockerClient().getContainer(r.Id).remove({ force: true }).catch(() => undefined);
        await cleanupRun(run);
    });

    it("preview shows every fault and injects nothing", async () => {
        const p = await stack.preview({ diff: true });
        assert.equal(p.changeSummary.create, 2 + 2 * Object.keys(CASES).length, "stack, experiment metadata, and a component and fault per case");
        assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerToxiproxyToxic/);
        assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerDependencyDown/);
        assert.match(p.stdout, /latency\s*: "1500ms"/);
        const state = await proxyState(env);
        for (const n of Object.keys(CASES)) assert.equal(inEffect(state, n), false, `${n} must not be touched by a preview`);
    });

    it("up injects every fault kind, each observed from the client, each with its reaper", async () => {
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        const state = await proxyState(env);
        for (const [n, c] of Object.entries(CASES)) {
            if (c.fault.kind === "docker:toxiproxy-toxic") assert.deepEqual(state[n]!.toxics, [`faultline.${stackName}.${n}`]);
            else assert.equal(state[n]!.enabled, false);
        }
        const seen = await probeAll(env);
        for (const [n, p] of Object.entries(seen)) CASES[n]!.hurt(p);

        const toxiproxyId = (await dockerClient().getContainer(env.toxiproxy).inspect()).Id;
        // One reaper per network namespace the reverts need: the Toxiproxy container's (its API on localhost) for
        // every fault but the one that reaches Toxiproxy by URL, whose reaper is on the host's network.
        const modes = (await reapers(stackName)).map((c) => c.HostConfig.NetworkMode).sort();
        assert.deepEqual(modes, [`container:${toxiproxyId}`, "host"].sort());
        assert.deepEqual((await armed(stackName)).map((a) => a.owner.fault).sort(), Object.keys(CASES).sort(), "every fault is armed");
        // The Toxiproxy container is untouched by its reapers (they share its namespaces, not its life).
        assert.equal((await dockerClient().getContainer(env.toxiproxy).inspect()).State.Running, true);
    });

    it("refresh notices a toxic removed outside Pulumi, and destroy after an outside revert is a clean no-op", async () => {
        assert.equal((await toxiproxyApi(env, "DELETE", `/proxies/latency/toxics/faultline.${stackName}.latency`)).status, 204);
        const rf = await stack.refresh();
        assert.equal(rf.summary.result, "succeeded");
        assert.equal(rf.summary.resourceChanges?.delete, 1, "the latency fault is dropped from state");
        assert.deepEqual(
            (await armed(stackName)).map((a) => a.owner.fault).filter((f) => f === "latency"),
            [],
            "and its reaper is disarmed",
        );
        // As if bandwidth's reaper had fired: destroy below must still succeed.
        assert.equal((await toxiproxyApi(env, "DELETE", `/proxies/bandwidth/toxics/faultline.${stackName}.bandwidth`)).status, 204);
    });

    it("destroy removes every toxic and re-enables the proxies: the client recovers, no reaper is left", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        const state = await proxyState(env);
        for (const n of Object.keys(CASES)) assert.equal(inEffect(state, n), false, `${n} is reverted`);
        for (const [n, p] of Object.entries(await probeAll(env))) assertHealthy(n, p);
        assert.deepEqual(await reapers(stackName), []);
    });

    // Refused by the provider's check (the preview), before anything is injected: hence Pulumi's "has a problem".
    it("up fails clearly when the proxy does not exist, listing those that do", async () => {
        await setExperiment(stack, JSON.parse(JSON.stringify(experiment("10m", { latency: { ...CASES.latency!.fault } })).replace('"proxy":"latency"', '"proxy":"no-such"')));
        await assert.rejects(
            stack.up(),
            new RegExp(
                `spec\\.proxy.*has a problem: no proxy "no-such" on the Toxiproxy of container "${env.toxiproxy}"; it has: bandwidth, down, down-url, latency, ` +
                    "limit-data, reset-peer, slicer, slow-close, timeout\\. Create the proxy first",
            ),
        );
    });

    it("up fails clearly when the toxic is already there from an earlier run", async () => {
        await setExperiment(stack, experiment("10m", { latency: CASES.latency!.fault }));
        const name = `faultline.${stackName}.latency`;
        await toxiproxyApi(env, "POST", "/proxies/latency/toxics", { name, type: "latency", attributes: { latency: 1 } });
        try {
            await assert.rejects(stack.up(), new RegExp(`spec\\.proxy: proxy "latency" already has a toxic named "${name.replace(/\./g, "\\.")}"`));
        } finally {
            await toxiproxyApi(env, "DELETE", `/proxies/latency/toxics/${name}`);
        }
    });

    it("preview fails clearly when the Toxiproxy container does not exist", async () => {
        const exp = experiment("10m", { latency: CASES.latency!.fault });
        (exp.faults[0] as { toxiproxy: unknown }).toxiproxy = { container: `no-such-${run}` };
        await setExperiment(stack, exp);
        await assert.rejects(
            stack.preview(),
            new RegExp(`property spec\\.toxiproxy\\.container value \\{<nil>\\} has a problem: no such container "no-such-${run}"; list containers with \`docker ps -a\``),
        );
    });

    it("kill -9 of pulumi up: every fault is reverted by its reaper within its time-to-live, then destroy is clean", async () => {
        // The bound is TTL + 5 s. Nine reapers start together here; on a 2-core host at load ~30 (other
        // sessions' tests) they were 2-40 s late, all reverting in the end (see docs/toxiproxy.md).
        const ttlS = 15;
        await setExperiment(stack, experiment(`${ttlS}s`));
        const startedAt = Date.now();
        const names = Object.keys(CASES);
        const seenAt: Record<string, number> = {};
        const revertedAt: Record<string, number> = {};
        const watch = async () => {
            const state = await proxyState(env);
            const now = Date.now();
            for (const n of names) {
                if (inEffect(state, n)) seenAt[n] ??= now;
                else if (seenAt[n] !== undefined) revertedAt[n] ??= now;
            }
        };
        // Kill the whole process tree right after every fault is observable. The provider arms a fault in its reaper
        // before it applies it, so "in effect" implies "armed" (checked after the kill). The moment is one call to
        // Toxiproxy's API: on a quiet machine `up` ends a few hundred milliseconds after its last fault goes in, and
        // a probe that also listed the reapers' armed faults (a Docker call per reaper) saw it finish first.
        const k = await upThenKillTree(stackName, {
            whenSeen: async () => {
                await watch();
                return Object.keys(seenAt).length === names.length;
            },
        }, 240_000);
        assert.equal(k.finishedFirst, false, "pulumi up must still be running when it is killed");
        const killedAt = k.killedAt;
        assert.equal(Object.keys(seenAt).length, names.length, "every fault was observed before the kill");
        const armedAfterKill = (await armed(stackName)).filter((a) => a.expiresAt >= startedAt);
        assert.equal(armedAfterKill.length, names.length, "every fault that went in is armed in a reaper");

        // Wait longer than the bound, so that a failure says how late the reapers were.
        while (Object.keys(revertedAt).length < names.length && Date.now() < killedAt + (ttlS + 60) * 1000) {
            await watch();
            await new Promise((r) => setTimeout(r, 100));
        }
        const missed = names.filter((n) => revertedAt[n] === undefined);
        if (missed.length > 0) {
            const logs: string[] = [];
            for (const c of await reapers(stackName)) {
                const out = await dockerClient().getContainer(c.Id).logs({ stdout: true, stderr: true });
                logs.push(`${c.Names[0]} (${c.State}): ${out.toString("utf8").slice(-1500)}`);
            }
            assert.fail(`not reverted: ${missed.join(", ")}; reapers:\n${logs.join("\n")}`);
        }
        const late = names.map((n) => `${n}: ${revertedAt[n]! - seenAt[n]!} ms`);
        for (const n of names) {
            assert.ok(revertedAt[n]! - seenAt[n]! <= (ttlS + 5) * 1000, `reverted after injection (expected ≤ ${ttlS + 5} s): ${late.join(", ")}`);
        }
        assert.ok(k.killed >= 3, `pulumi, the language host and the provider were killed (${k.killed} processes)`);
        for (const [n, p] of Object.entries(await probeAll(env))) assertHealthy(n, p);

        // State repair after the kill: release the lock, drop pending creates (refresh also drops the faults the
        // reapers reverted), then destroy, which has nothing left to break.
        await stack.cancel();
        const rf = await stack.refresh({ clearPendingCreates: true });
        assert.equal(rf.summary.result, "succeeded");
        const d = await stack.destroy();
        assert.equal(d.summary.result, "succeeded");
        assert.deepEqual(await reapers(stackName), []);
        const state = await proxyState(env);
        for (const n of names) assert.equal(inEffect(state, n), false);
    });
});
