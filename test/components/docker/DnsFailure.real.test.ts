// Real-engine test: the real Pulumi CLI (Automation API, local file backend), a real Docker engine and real
// iptables rules in the target's network namespace, observed with real name lookups.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { driver } from "../../../components/docker/faults/dnsFailure";
import { Labels } from "../../../components/core/labels";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { canFetch, cleanupRun, createNetwork, runContainer, runId } from "../../helpers/docker";
import { canResolve, containersLabelled, faultlineRules, ipOf } from "../../helpers/network";
import { prepareThenApply } from "../../../components/core/driver";

describe("DnsFailure (real Docker, real Pulumi engine)", { timeout: 600_000 }, () => {
    const run = runId();
    const net = `flt-dns-${run}`;
    const client = `flt-dns-client-${run}`;
    const other = `flt-dns-other-${run}`;
    const web = `flt-dns-web-${run}`;
    let webIp = "";
    let stack: Stack | undefined;
    const owner = { project: "faultline", stack: `test-dns-drv-${run}`, experiment: "dns", fault: "no-dns", kind: driver.kind };
    const ctx = { owner, warn: () => undefined, info: () => undefined };

    /** What the client can do: resolve the server's name, fetch by name, fetch by IP; and whether another container resolves. */
    async function seen() {
        const [resolves, byName, byIp, otherResolves] = await Promise.all([
            canResolve(client, web),
            canFetch(client, `http://${web}:8080/`, 3),
            canFetch(client, `http://${webIp}:8080/`, 3),
            canResolve(other, web),
        ]);
        return { resolves, byName, byIp, otherResolves };
    }
    const healthy = { resolves: true, byName: true, byIp: true, otherResolves: true };

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        await runContainer({ name: web, run, network: net, cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
        await runContainer({ name: client, run, network: net, cmd: ["sleep", "600"] });
        await runContainer({ name: other, run, network: net, cmd: ["sleep", "600"] });
        webIp = await ipOf(web, net);
        assert.deepEqual(await seen(), healthy, "precondition: lookups and fetches work");
    });

    afterEach(async () => {
        for (const x of [client, other, web]) assert.deepEqual(await faultlineRules(x, run), [], `no faultline rule left in ${x}`);
    });

    after(async () => {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await removeStack(stack).catch(() => undefined);
        }
        await cleanupRun(run);
    });

    it("up makes the target's name lookups fail while traffic by IP works; destroy restores lookups", async () => {
        stack = await openStack(`test-dns-${run}`, {
            experiment: { name: "dns-test", faults: [{ name: "no-dns", kind: "docker:dns-failure", target: { name: client }, ttl: "10m" }] },
        });
        const p = await stack.preview({ diff: true });
        assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerDnsFailure/);
        assert.match(p.stdout, new RegExp(`name\\s*: "${client}"`));

        const up = await stack.up();
        assert.equal(up.summary.result, "succeeded");
        assert.deepEqual(await seen(), { resolves: false, byName: false, byIp: true, otherResolves: true });
        const comment = `--comment "faultline:${stack.name}:no-dns"`;
        assert.deepEqual((await faultlineRules(client, run)).sort(), [
            `-A OUTPUT -p tcp -m tcp --dport 53 -m comment ${comment} -j DROP`,
            `-A OUTPUT -p udp -m udp --dport 53 -m comment ${comment} -j DROP`,
        ]);

        const down = await stack.destroy();
        assert.equal(down.summary.result, "succeeded");
        assert.deepEqual(await seen(), healthy);
        assert.deepEqual(await containersLabelled(Labels.stack, stack.name), [], "reaper disarmed, no helper left");
    });

    it("revert is idempotent and observe follows the rules", async () => {
        const record = await prepareThenApply(driver, driver.schema.parse({ target: { name: client } }), ctx);
        assert.deepEqual(await driver.observe(record), { active: true, detail: `DNS drop rules "faultline:${owner.stack}:no-dns" in place on ${client}` });
        assert.equal(await driver.revert(record, ctx), "reverted");
        assert.equal(await driver.revert(record, ctx), "already-reverted");
        assert.equal((await driver.observe(record)).active, false);
        assert.deepEqual(await seen(), healthy);
    });
});
