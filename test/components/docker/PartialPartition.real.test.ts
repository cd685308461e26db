// Real-engine test: the real Pulumi CLI (Automation API, local file backend), a real Docker engine, real iptables
// rules in the containers' network namespaces, and a reaper that outlives a `pulumi up` killed with SIGKILL.
// A is the suite's web target, B its client (an httpd too, so that A→B shows), C a third httpd A must still reach.
import assert from "node:assert/strict";
import { afterEach, it } from "node:test";
import { driver } from "../../../components/docker/faults/partialPartition";
import { prepareThenApply } from "../../../components/core/driver";
import { canFetch, runContainer } from "../../helpers/docker";
import { faultCycleSuite, type CycleTargets } from "../../helpers/faultCycle";
import { faultlineRules, ipOf, removeFaultlineRules } from "../../helpers/network";
import { checkpointOf } from "../../../runner/pulumi";
import { setExperiment } from "../../helpers/pulumi";

const HTTPD = ["httpd", "-f", "-p", "8080", "-h", "/www"];
const url = (to: string) => `http://${to}:8080/`;
const cOf = (t: CycleTargets) => `flt-pp-c-${t.run}`;

/** Who reaches whom right now, A↔B and A→C. */
async function reach(t: CycleTargets) {
    const [ab, ba, ac] = await Promise.all([canFetch(t.web, url(t.client), 2), canFetch(t.client, url(t.web), 2), canFetch(t.web, url(cOf(t)), 2)]);
    return { ab, ba, ac };
}
const everyone = { ab: true, ba: true, ac: true };

faultCycleSuite({
    title: "PartialPartition",
    tag: "pp",
    fault: (t) => ({ kind: "docker:partial-partition", target: { name: t.web }, peers: [t.client], direction: "both" }),
    client: { cmd: HTTPD },
    prepare: async (t) => {
        await runContainer({ name: cOf(t), run: t.run, network: t.net, cmd: HTTPD });
        assert.deepEqual(await reach(t), everyone, "precondition: everyone reaches everyone");
    },
    snapshot: async (t) => ({ reach: await reach(t), rules: await faultlineRules(t.web, t.run) }),
    inEffect: async (t) => !(await canFetch(t.client, url(t.web), 2)),
    answersDuringFault: false,
    checkUp: async (t) => {
        const bIp = await ipOf(t.client, t.net);
        // The stack's outputs as the state holds them (what `pulumi stack output` prints).
        const outputs = checkpointOf(t.stack)?.resources?.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs as { faults?: Record<string, { kind: string }> } | undefined;
        assert.equal(outputs?.faults?.fault?.kind, "docker:partial-partition");
        assert.deepEqual(await reach(t), { ab: false, ba: false, ac: true }, "A is cut off B both ways and still reaches C");
        assert.deepEqual((await faultlineRules(t.web, t.run)).sort(), [
            `-A INPUT -s ${bIp}/32 -m comment --comment "faultline:${t.stack}:fault" -j DROP`,
            `-A OUTPUT -d ${bIp}/32 -m comment --comment "faultline:${t.stack}:fault" -j DROP`,
        ]);
    },
    revertByHand: (t) => removeFaultlineRules(t.web, t.run),
    extraTests: ({ t, stack, experiment }) => {
        const owner = { project: "faultline", stack: `test-pp-drv-${t.run}`, experiment: "pp", fault: "split", kind: driver.kind };
        const ctx = { owner, warn: () => undefined, info: () => undefined };

        afterEach(async () => {
            // Whatever a test did, it leaves no rule behind in any namespace.
            for (const x of [t.web, t.client, cOf(t)]) assert.deepEqual(await faultlineRules(x, t.run), [], `no faultline rule left in ${x}`);
        });

        it("preview lists the resolved target and injects nothing", async () => {
            await setExperiment(stack(), experiment("10m"));
            const p = await stack().preview({ diff: true });
            assert.equal(p.changeSummary.create, 4, "stack, component, fault and experiment metadata");
            assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerPartialPartition/);
            assert.match(p.stdout, new RegExp(`name\\s*: "${t.web}"`), "preview lists the resolved target");
            assert.deepEqual(await reach(t), everyone, "preview injects nothing");
        });

        it("egress: A cannot open connections to B, B still reaches A; the revert record has B's address", async () => {
            const record = await prepareThenApply(driver, driver.schema.parse({ target: { name: t.web }, peers: [t.client], direction: "egress" }), ctx);
            try {
                assert.deepEqual(record.peers, [{ ref: t.client, ips: [await ipOf(t.client, t.net)] }]);
                assert.deepEqual(await reach(t), { ab: false, ba: true, ac: true });
                assert.equal((await driver.observe(record)).active, true);
            } finally {
                assert.equal(await driver.revert(record, ctx), "reverted");
            }
            assert.equal(await driver.revert(record, ctx), "already-reverted");
            assert.deepEqual(await reach(t), everyone);
        });

        it("ingress with a label selector for peers: B cannot open connections to A, A still reaches B", async () => {
            const record = await prepareThenApply(
                driver,
                driver.schema.parse({ target: { name: t.web }, peers: { name: t.client, labels: { "dev.faultline.test": t.run } }, direction: "ingress" }),
                ctx,
            );
            try {
                assert.deepEqual(await reach(t), { ab: true, ba: false, ac: true });
            } finally {
                assert.equal(await driver.revert(record, ctx), "reverted");
            }
            assert.deepEqual(await reach(t), everyone);
        });

        it("names the field when a peer container does not exist, and leaves nothing behind", async () => {
            await setExperiment(stack(), experiment("10m", { peers: [`no-such-${t.run}`] }));
            await assert.rejects(stack().up(), new RegExp(`spec\\.peers\\[0\\].*has a problem: no such container "no-such-${t.run}"; list containers with \`docker ps\``));
            assert.deepEqual(await reach(t), everyone);
        });
    },
});
