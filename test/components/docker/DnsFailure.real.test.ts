// Real-engine test: the real Pulumi CLI (Automation API, local file backend), a real Docker engine and real
// iptables rules in the target's network namespace, observed with real name lookups.
import assert from "node:assert/strict";
import { afterEach, it } from "node:test";
import { driver } from "../../../components/docker/faults/dnsFailure";
import { Labels } from "../../../components/core/labels";
import { prepareThenApply } from "../../../components/core/driver";
import { canFetch, runContainer } from "../../helpers/docker";
import { faultCycleSuite, type CycleTargets } from "../../helpers/faultCycle";
import { canResolve, containersLabelled, faultlineRules, ipOf, removeFaultlineRules } from "../../helpers/network";
import { setExperiment } from "../../helpers/pulumi";

/** A third container on the network: its lookups must work while the client's fail. */
const otherOf = (t: CycleTargets) => `flt-dns-other-${t.run}`;
let webIp = "";

/** What the client can do: resolve the server's name, fetch by name, fetch by IP; and whether another container resolves. */
async function seen(t: CycleTargets) {
    const [resolves, byName, byIp, otherResolves] = await Promise.all([
        canResolve(t.client, t.web),
        canFetch(t.client, `http://${t.web}:8080/`, 3),
        canFetch(t.client, `http://${webIp}:8080/`, 3),
        canResolve(otherOf(t), t.web),
    ]);
    return { resolves, byName, byIp, otherResolves };
}
const healthy = { resolves: true, byName: true, byIp: true, otherResolves: true };

// The fault is on the client: its own name lookups fail, while traffic by IP and other containers' lookups work.
faultCycleSuite({
    title: "DnsFailure",
    tag: "dns",
    fault: (t) => ({ kind: "docker:dns-failure", target: { name: t.client } }),
    prepare: async (t) => {
        await runContainer({ name: otherOf(t), run: t.run, network: t.net, cmd: ["sleep", "3600"] });
        webIp = await ipOf(t.web, t.net);
        assert.deepEqual(await seen(t), healthy, "precondition: lookups and fetches work");
    },
    snapshot: async (t) => ({ seen: await seen(t), rules: await faultlineRules(t.client, t.run) }),
    inEffect: async (t) => !(await canResolve(t.client, t.web)),
    // The suite's probe goes by the name "web", which the client can no longer look up.
    answersDuringFault: false,
    checkUp: async (t) => {
        assert.deepEqual(await seen(t), { resolves: false, byName: false, byIp: true, otherResolves: true });
        const comment = `--comment "faultline:${t.stack}:fault"`;
        assert.deepEqual((await faultlineRules(t.client, t.run)).sort(), [
            `-A OUTPUT -p tcp -m tcp --dport 53 -m comment ${comment} -j DROP`,
            `-A OUTPUT -p udp -m udp --dport 53 -m comment ${comment} -j DROP`,
        ]);
    },
    revertByHand: (t) => removeFaultlineRules(t.client, t.run),
    extraTests: ({ t, stack, experiment }) => {
        afterEach(async () => {
            for (const x of [t.client, otherOf(t), t.web]) assert.deepEqual(await faultlineRules(x, t.run), [], `no faultline rule left in ${x}`);
        });

        it("preview lists the fault and its target", async () => {
            await setExperiment(stack(), experiment("10m"));
            const p = await stack().preview({ diff: true });
            assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerDnsFailure/);
            assert.match(p.stdout, new RegExp(`name\\s*: "${t.client}"`));
            assert.deepEqual(await containersLabelled(Labels.stack, t.stack), [], "no reaper or helper before up");
        });

        it("revert is idempotent and observe follows the rules (the driver alone)", async () => {
            const owner = { project: "faultline", stack: `test-dns-drv-${t.run}`, experiment: "dns", fault: "no-dns", kind: driver.kind };
            const ctx = { owner, warn: () => undefined, info: () => undefined };
            const record = await prepareThenApply(driver, driver.schema.parse({ target: { name: t.client } }), ctx);
            assert.deepEqual(await driver.observe(record), { active: true, detail: `DNS drop rules "faultline:${owner.stack}:no-dns" in place on ${t.client}` });
            assert.equal(await driver.revert(record, ctx), "reverted");
            assert.equal(await driver.revert(record, ctx), "already-reverted");
            assert.equal((await driver.observe(record)).active, false);
            assert.deepEqual(await seen(t), healthy);
        });
    },
});
