// Real-engine test: dockerd restarts while every network fault kind is in (network-disconnect, partial-partition,
// dns-failure, bandwidth, toxiproxy-toxic). The restart stops every container, which takes the in-container state of
// most faults (iptables rules, qdiscs, a Toxiproxy's toxics) with it; Docker starts the containers again by their
// restart policy, the stack's reaper too. Each fault must be reverted at its TTL (or found already gone, a clean
// no-op), and `pulumi destroy` must succeed and leave nothing.
//
// This is the only test that restarts the engine, and all its cases share one restart: every other Docker test on
// the machine fails while the engine is down. The restart is serialized by flock on /tmp/faultline-dockerd-restart.lock.
// scripts/test.sh runs it first, alone, and starts the others once it writes $FAULTLINE_ENGINE_BACK: the wait for the
// TTL after the restart then runs beside them, on a loaded machine (hence the slack).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { dockerClient } from "../../../components/core/docker";
import { Labels, STANDBY_KIND } from "../../../components/core/labels";
import { armedFaults, reaper } from "../../../components/docker/reaper";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { freePort } from "../../helpers/demo";
import { cleanupRun, createNetwork, endpointOf, runContainer, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { reaperLogs } from "../../helpers/faults";
import { waitFor } from "../../helpers/wait";
import { faultlineRules, rootQdisc } from "../../helpers/network";
import { TOXIPROXY_IMAGE } from "../../helpers/toxiproxy";

const TTL_S = 75;
const SLACK_MS = 20_000;

/**
 * Restarts dockerd the way scripts/setup-docker.sh starts it (setsid nohup, log in /var/log/faultline-dockerd.log):
 * SIGTERM, wait for it to exit (it stops every container first), start it again, wait for `docker info`.
 */
function restartDockerd(): void {
    const script = `
set -e
pid=$(pidof dockerd || true)
[ -n "$pid" ] || { echo "dockerd is not running" >&2; exit 1; }
kill -TERM $pid
for i in $(seq 1 120); do kill -0 $pid 2>/dev/null || break; sleep 0.5; done
kill -0 $pid 2>/dev/null && { echo "dockerd did not stop within 60 s" >&2; exit 1; }
setsid nohup dockerd >>/var/log/faultline-dockerd.log 2>&1 </dev/null &
for i in $(seq 1 120); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done
echo "dockerd did not come back within 60 s" >&2; exit 1`;
    // -o: the lock's file descriptor is closed in the command, or the new dockerd would inherit it and hold the lock
    // for as long as it runs.
    const r = spawnSync("flock", ["-o", "/tmp/faultline-dockerd-restart.lock", "bash", "-c", script], { encoding: "utf8", timeout: 180_000 });
    if (r.status !== 0) throw new Error(`restarting dockerd failed (exit ${r.status}, signal ${r.signal}${r.error ? `, ${r.error.message}` : ""}): ${r.stderr}`);
}

describe("a dockerd restart during every network fault kind (real Docker, real Pulumi engine)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const net = `flt-rst-${run}`;
    const n = (x: string) => `flt-rst-${x}-${run}`;
    const always = { RestartPolicy: { Name: "always" } };
    const httpd = ["httpd", "-f", "-p", "8080", "-h", "/www"];
    let stack: Stack;
    let apiPort = 0;

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        apiPort = await freePort();
        await Promise.all([
            runContainer({ name: n("cut"), run, network: net, aliases: ["cut"], cmd: httpd, hostConfig: always }),
            runContainer({ name: n("split"), run, network: net, cmd: httpd, hostConfig: always }),
            runContainer({ name: n("peer"), run, network: net, cmd: httpd, hostConfig: always }),
            runContainer({ name: n("nodns"), run, network: net, cmd: ["sleep", "3600"], hostConfig: always }),
            runContainer({ name: n("slow"), run, network: net, cmd: httpd, hostConfig: always }),
            runContainer({ name: n("upstream"), run, network: net, aliases: ["upstream"], cmd: httpd, hostConfig: always }),
            runContainer({ name: n("toxiproxy"), run, network: net, image: TOXIPROXY_IMAGE, publish: 8474, hostPort: apiPort, cmd: ["toxiproxy", "-host", "0.0.0.0"], hostConfig: always }),
        ]);
        const api = `http://127.0.0.1:${apiPort}`;
        await waitFor("Toxiproxy's API", async () => fetch(`${api}/version`).then((r) => r.ok, () => false), 10_000);
        const r = await fetch(`${api}/proxies`, { method: "POST", body: JSON.stringify({ name: "web", listen: "0.0.0.0:21001", upstream: "upstream:8080" }) });
        assert.equal(r.status, 201);
        const ttl = `${TTL_S}s`;
        stack = await openStack(`test-restart-${run}`, {
            experiment: {
                name: "engine-restart",
                faults: [
                    { name: "disconnect", kind: "docker:network-disconnect", container: n("cut"), network: net, ttl },
                    { name: "partition", kind: "docker:partial-partition", target: { name: n("split") }, peers: [n("peer")], ttl },
                    { name: "dns", kind: "docker:dns-failure", target: { name: n("nodns") }, ttl },
                    { name: "bandwidth", kind: "docker:bandwidth", target: { name: n("slow") }, rate: "8mbit", ttl },
                    { name: "toxic", kind: "docker:toxiproxy-toxic", toxiproxy: { container: n("toxiproxy") }, proxy: "web", type: "latency", latency: "1s", ttl },
                ],
            },
        });
    });

    after(async () => {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await removeStack(stack).catch(() => undefined);
        }
        await cleanupRun(run);
    });

    it("reverts each fault at its TTL after the restart, and destroy succeeds and leaves nothing", async () => {
        const defaultQdisc = await rootQdisc(n("slow"), run);
        assert.equal((await stack.up()).summary.result, "succeeded");
        const armed = (await armedFaults({ stack: stack.name })).filter((a) => a.kind !== STANDBY_KIND);
        assert.deepEqual(armed.map((a) => a.owner.fault).sort(), ["bandwidth", "disconnect", "dns", "partition", "toxic"]);
        const deadline = Math.max(...armed.map((a) => a.expiresAt));
        // A standby in each reaper keeps it from retiring (and taking its log with it) after its last revert.
        const keepers = [...new Map(armed.map((a) => [a.reaperName, a])).values()].map((a, i) => ({
            id: `test/${stack.name}/keep/${i}`,
            kind: STANDBY_KIND,
            record: null,
            owner: { ...a.owner, fault: "", kind: STANDBY_KIND },
            expiresAt: Date.now() + 600_000,
            ...(a.networkMode ? { networkMode: a.networkMode } : {}),
        }));
        for (const k of keepers) await reaper.arm(k);
        // Every fault is in before the restart.
        assert.equal(await endpointOf(n("cut"), net), undefined);
        assert.notDeepEqual(await faultlineRules(n("split"), run), []);
        assert.notDeepEqual(await faultlineRules(n("nodns"), run), []);
        assert.match(await rootQdisc(n("slow"), run), /^qdisc tbf /);
        const toxics = await fetch(`http://127.0.0.1:${apiPort}/proxies/web/toxics`).then((r) => r.json() as Promise<unknown[]>);
        assert.equal(toxics.length, 1);
        const reapersBefore = (await dockerClient().listContainers({ filters: JSON.stringify({ label: [`${Labels.stack}=${stack.name}`, `${Labels.role}=reaper`] }) })).map((c) => c.Id).sort();

        const t0 = Date.now();
        restartDockerd();
        console.log(`dockerd restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${((deadline - Date.now()) / 1000).toFixed(1)} s left to the TTL`);
        assert.ok(Date.now() < deadline - 10_000, "the restart ended well before the TTL (else raise TTL_S)");

        // The reapers came back by their restart policy (the same containers), and the disconnect is still in.
        await waitFor("the reapers to run again", async () => {
            const now = await dockerClient().listContainers({ filters: JSON.stringify({ label: [`${Labels.stack}=${stack.name}`, `${Labels.role}=reaper`] }) });
            return JSON.stringify(now.map((c) => c.Id).sort()) === JSON.stringify(reapersBefore);
        }, 60_000);
        assert.equal(await endpointOf(n("cut"), net), undefined, "still cut off after the restart, until the TTL");
        // The engine is back: scripts/test.sh starts the other Docker tests now, beside the wait for the TTL.
        if (process.env.FAULTLINE_ENGINE_BACK) fs.writeFileSync(process.env.FAULTLINE_ENGINE_BACK, `${new Date().toISOString()}\n`);

        // At the TTL: every fault reverted (or found gone with the restart) by the reaper, and its record removed.
        await waitFor("every fault to be reverted by its reaper", async () => (await armedFaults({ stack: stack.name })).filter((a) => a.kind !== STANDBY_KIND).length === 0, deadline + SLACK_MS - Date.now()).catch(async (err: Error) => {
            throw new Error(`${err.message}\n${await reaperLogs(stack.name)}`);
        });
        const logs = await reaperLogs(stack.name);
        console.log(logs.split("\n").filter((l) => /time-to-live reached|warning|started reaper/.test(l)).join("\n"));
        assert.notEqual(await endpointOf(n("cut"), net), undefined, "reattached");
        assert.deepEqual(await faultlineRules(n("split"), run), []);
        assert.deepEqual(await faultlineRules(n("nodns"), run), []);
        assert.equal(await rootQdisc(n("slow"), run), defaultQdisc);
        for (const [kind, fault] of [["network-disconnect", "disconnect"], ["partial-partition", "partition"], ["dns-failure", "dns"], ["bandwidth", "bandwidth"], ["toxiproxy-toxic", "toxic"]]) {
            assert.match(logs, new RegExp(`time-to-live reached: docker:${kind} "${fault}" of stack ${stack.name}: (reverted|already-reverted|target-gone)`));
        }
        assert.match(logs, /time-to-live reached: docker:network-disconnect "disconnect" of stack \S+: reverted/);
        assert.doesNotMatch(logs, /revert of "[^"]+" failed/, "no revert failed, none was retried");

        const d = await stack.destroy();
        assert.equal(d.summary.result, "succeeded");
        for (const k of keepers) await reaper.disarm(k.id, k.owner);
        await waitFor("nothing left for the stack", async () => {
            const filters = JSON.stringify({ label: [`${Labels.stack}=${stack.name}`] });
            const c = await dockerClient().listContainers({ all: true, filters });
            const v = (await dockerClient().listVolumes({ filters })).Volumes ?? [];
            return c.length === 0 && v.length === 0;
        }, 20_000);
    });
});
