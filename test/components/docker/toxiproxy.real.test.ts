// Real-Docker test of the Toxiproxy drivers called directly (as the provider, the reaper and `recover` call them):
// how they reach the API, and how revert behaves when the world changed under the fault.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { dockerClient } from "../../../components/core/docker";
import { prepareThenApply, type DriverContext } from "../../../components/core/driver";
import { driver as down } from "../../../components/docker/faults/dependencyDown";
import { driver as toxic, ToxiproxyToxicSpec } from "../../../components/docker/faults/toxiproxyToxic";
import { cleanupRun, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { createProxy, startToxiproxyEnv, toxiproxyApi, type ToxiproxyEnv } from "../../helpers/toxiproxy";

describe("Toxiproxy drivers (real Docker, real Toxiproxy)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    let env: ToxiproxyEnv;
    const warnings: string[] = [];
    const ctx = (fault: string): DriverContext => ({
        owner: { project: "faultline", stack: `test-${run}`, experiment: "e", fault, kind: toxic.kind },
        warn: (m) => warnings.push(m),
        info: () => undefined,
    });
    const latency = (extra: object = {}) =>
        ToxiproxyToxicSpec.parse({ type: "latency", latency: "100ms", toxiproxy: { container: env.toxiproxy }, proxy: "db", ...extra });

    before(async () => {
        env = await startToxiproxyEnv("flt-txd", run);
        await createProxy(env, "db", 23001);
    });

    after(async () => {
        await cleanupRun(run);
    });

    it("injects with the spec's stream and toxicity, records how to reach the API both ways, and reverts once", async () => {
        const rec = await prepareThenApply(toxic, latency({ stream: "upstream", toxicity: 0.5 }), ctx("slow"));
        const info = await dockerClient().getContainer(env.toxiproxy).inspect();
        assert.deepEqual(rec.api, {
            container: { id: info.Id, name: env.toxiproxy, hostname: info.Config.Hostname, startedAt: info.State.StartedAt },
            hostUrl: env.api,
            namespaceUrl: "http://127.0.0.1:8474",
        });
        assert.equal(toxic.reaperNetworkMode!(rec), `container:${info.Id}`);
        const seen = await toxiproxyApi(env, "GET", `/proxies/db/toxics/faultline.test-${run}.slow`);
        assert.deepEqual(seen.body, {
            name: `faultline.test-${run}.slow`,
            type: "latency",
            stream: "upstream",
            toxicity: 0.5,
            attributes: { latency: 100, jitter: 0 },
        });
        assert.equal((await toxic.observe(rec)).active, true);
        assert.equal(await toxic.revert(rec, ctx("slow")), "reverted");
        assert.equal(await toxic.revert(rec, ctx("slow")), "already-reverted");
        assert.deepEqual(await toxic.observe(rec), { active: false, detail: `toxic "faultline.test-${run}.slow" on proxy "db" is gone` });
    });

    it("reverting after the proxy was deleted warns and reports the target gone", async () => {
        await createProxy(env, "tmp", 23002);
        const rec = await prepareThenApply(toxic, latency({ proxy: "tmp" }), ctx("tmp"));
        await toxiproxyApi(env, "DELETE", "/proxies/tmp");
        warnings.length = 0;
        assert.equal(await toxic.revert(rec, ctx("tmp")), "target-gone");
        assert.deepEqual(warnings, [`proxy "tmp" no longer exists on the Toxiproxy of container "${env.toxiproxy}"; its toxics went with it`]);
    });

    it("works through a loopback URL too (reaper on the host network), and a URL where nothing listens means gone", async () => {
        const rec = await prepareThenApply(toxic, latency({ toxiproxy: { url: env.api } }), ctx("by-url"));
        assert.deepEqual(rec.api, { hostUrl: env.api, namespaceUrl: env.api });
        assert.equal(toxic.reaperNetworkMode!(rec), "host");
        assert.equal(await toxic.revert(rec, ctx("by-url")), "reverted");
        // Port 9 (discard) has no listener here: a refused connection means no Toxiproxy, so no toxic either.
        const dead = { ...rec, api: { hostUrl: "http://127.0.0.1:9", namespaceUrl: "http://127.0.0.1:9" } };
        warnings.length = 0;
        assert.equal(await toxic.revert(dead, ctx("by-url")), "target-gone");
        assert.match(warnings[0] ?? "", /^the Toxiproxy API of http:\/\/127\.0\.0\.1:9 did not answer at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\): no Toxiproxy runs there any more/);
    });

    it("DependencyDown re-enables only a proxy it disabled", async () => {
        const spec = down.schema.parse({ toxiproxy: { container: env.toxiproxy }, proxy: "db" });
        const rec = await prepareThenApply(down, spec, ctx("db-down"));
        assert.equal(rec.wasEnabled, true);
        assert.equal((await toxiproxyApi(env, "GET", "/proxies/db")).body.enabled, false);
        assert.equal(await down.revert(rec, ctx("db-down")), "reverted");
        assert.equal((await toxiproxyApi(env, "GET", "/proxies/db")).body.enabled, true);
        assert.equal(await down.revert(rec, ctx("db-down")), "already-reverted");

        await toxiproxyApi(env, "PATCH", "/proxies/db", { enabled: false });
        warnings.length = 0;
        const rec2 = await prepareThenApply(down, spec, ctx("db-down"));
        assert.deepEqual(warnings, ['proxy "db" was already disabled; it stays disabled, and revert will leave it so']);
        assert.equal(await down.revert(rec2, ctx("db-down")), "already-reverted");
        assert.equal((await toxiproxyApi(env, "GET", "/proxies/db")).body.enabled, false, "someone else's disabled proxy stays disabled");
        await toxiproxyApi(env, "PATCH", "/proxies/db", { enabled: true });
    });

    it("after the Toxiproxy container restarted, the fault is gone and revert touches nothing", async () => {
        const rec = await prepareThenApply(toxic, latency(), ctx("restart"));
        await dockerClient().getContainer(env.toxiproxy).restart({ t: 0 });
        const info = await dockerClient().getContainer(env.toxiproxy).inspect();
        env.api = `http://127.0.0.1:${info.NetworkSettings.Ports["8474/tcp"]![0]!.HostPort}`;
        // The restarted Toxiproxy is empty; a same-named proxy from someone else must not be touched.
        for (let i = 0; i < 50 && !(await fetch(`${env.api}/version`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
        await createProxy(env, "db", 23001);
        await toxiproxyApi(env, "POST", "/proxies/db/toxics", { name: `faultline.test-${run}.restart`, type: "latency", attributes: { latency: 1 } });
        warnings.length = 0;
        assert.equal(await toxic.revert(rec, ctx("restart")), "target-gone");
        assert.deepEqual(warnings, [
            `Toxiproxy container "${env.toxiproxy}" restarted since the fault was injected, which cleared its toxics and proxy changes; the fault went with it`,
        ]);
        assert.equal((await toxiproxyApi(env, "GET", `/proxies/db/toxics/faultline.test-${run}.restart`)).status, 200);
        assert.equal((await toxic.observe(rec)).active, false);
    });
});
