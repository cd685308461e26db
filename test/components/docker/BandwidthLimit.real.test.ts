// Real-engine test: the real Pulumi CLI (Automation API, local file backend), a real Docker engine and a real tc
// token bucket filter in the target's network namespace, observed with timed transfers of a 2 MB file.
import assert from "node:assert/strict";
import { it } from "node:test";
import { execInContainer } from "../../../components/core/docker";
import { prepareThenApply } from "../../../components/core/driver";
import { driver } from "../../../components/docker/faults/bandwidth";
import { faultHandle } from "../../../components/docker/qdisc";
import { faultCycleSuite } from "../../helpers/faultCycle";
import { removeRootQdisc, rootQdisc, transferSeconds } from "../../helpers/network";
import { setExperiment } from "../../helpers/pulumi";

/** The 2 MB file the web target serves, as the client reaches it. */
const BIG = "http://web:8080/big";
/** The kernel's default root qdisc of the target, before any fault. */
let defaultQdisc = "";

faultCycleSuite({
    title: "BandwidthLimit",
    tag: "bw",
    fault: (t) => ({ kind: "docker:bandwidth", target: { name: t.web }, rate: "8mbit" }),
    prepare: async (t) => {
        const dd = await execInContainer(t.web, ["dd", "if=/dev/zero", "of=/www/big", "bs=1024", "count=2048"]);
        assert.equal(dd.exitCode, 0, dd.stderr);
        defaultQdisc = await rootQdisc(t.web, t.run);
        assert.match(defaultQdisc, /^qdisc noqueue 0: root/);
        const s = await transferSeconds(t.client, BIG);
        assert.ok(s !== undefined && s < 1, `precondition: 2 MB unthrottled takes well under a second (took ${s} s)`);
    },
    snapshot: (t) => rootQdisc(t.web, t.run),
    inEffect: async (t) => /^qdisc tbf /.test(await rootQdisc(t.web, t.run)),
    answersDuringFault: true,
    checkUp: async (t) => {
        assert.match(await rootQdisc(t.web, t.run), /^qdisc tbf f[0-9a-f]{3}: root refcnt \d+ rate 8Mbit burst 4Kb lat 400ms/);
        const slow = await transferSeconds(t.client, BIG);
        // 2 MiB is 16.8 Mbit: 2.1 s at 8 Mbit/s, give or take the bucket and a busy machine.
        assert.ok(slow !== undefined && slow >= 1.8 && slow < 5, `throttled transfer took ${slow} s`);
    },
    checkDown: async (t) => {
        const fast = await transferSeconds(t.client, BIG);
        assert.ok(fast !== undefined && fast < 1, `after destroy the transfer took ${fast} s`);
    },
    revertByHand: (t) => removeRootQdisc(t.web, t.run),
    extraTests: ({ t, stack, experiment }) => {
        it("preview lists the fault and its rate", async () => {
            await setExperiment(stack(), experiment("10m"));
            const p = await stack().preview({ diff: true });
            assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerBandwidth/);
            assert.match(p.stdout, /rate\s*: "8mbit"/);
            assert.equal(await rootQdisc(t.web, t.run), defaultQdisc, "preview changes nothing");
        });

        it("refuses an interface that already carries a faultline qdisc, and one that does not exist", async () => {
            const owner = { project: "faultline", stack: `test-bw-drv-${t.run}`, experiment: "bw", fault: "slow", kind: driver.kind };
            const ctx = { owner, warn: () => undefined, info: () => undefined };
            const record = await prepareThenApply(driver, driver.schema.parse({ target: { name: t.web }, rate: "1mbit" }), ctx);
            try {
                await assert.rejects(
                    prepareThenApply(driver, driver.schema.parse({ target: { name: t.web }, rate: "2mbit" }), ctx),
                    new RegExp(`^FaultError: spec\\.interface: interface eth0 of "${t.web}" already carries another faultline fault \\(qdisc tbf ${faultHandle(ctx.owner)} root`),
                );
                await assert.rejects(
                    prepareThenApply(driver, driver.schema.parse({ target: { name: t.web }, rate: "2mbit", interface: "eth9" }), ctx),
                    { message: `spec.interface: container "${t.web}" has no interface "eth9"; list them with \`docker exec ${t.web} ip link\` (most have eth0)` },
                );
                assert.deepEqual(record.targets.map((x) => x.before), [defaultQdisc]);
                assert.equal((await driver.observe(record)).active, true);
            } finally {
                assert.equal(await driver.revert(record, ctx), "reverted");
            }
            assert.equal(await driver.revert(record, ctx), "already-reverted");
            assert.equal((await driver.observe(record)).active, false);
            assert.equal(await rootQdisc(t.web, t.run), defaultQdisc);
        });
    },
});
