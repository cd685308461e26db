// Real-engine test: the real Pulumi CLI (Automation API, local file backend), a real Docker engine and a real tc
// token bucket filter in the target's network namespace, observed with timed transfers of a 2 MB file.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { execInContainer } from "../../../components/core/docker";
import { driver } from "../../../components/docker/faults/bandwidth";
import { faultHandle } from "../../../components/docker/qdisc";
import { Labels } from "../../../components/core/labels";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { cleanupRun, createNetwork, runContainer, runId } from "../../helpers/docker";
import { containersLabelled, rootQdisc, transferSeconds } from "../../helpers/network";
import { prepareThenApply } from "../../../components/core/driver";

describe("BandwidthLimit (real Docker, real Pulumi engine)", { timeout: 600_000 }, () => {
    const run = runId();
    const net = `flt-bw-${run}`;
    const server = `flt-bw-server-${run}`;
    const client = `flt-bw-client-${run}`;
    const url = `http://${server}:8080/big`;
    let stack: Stack | undefined;
    let defaultQdisc = "";
    const owner = { project: "faultline", stack: `test-bw-drv-${run}`, experiment: "bw", fault: "slow", kind: driver.kind };
    const ctx = { owner, warn: () => undefined, info: () => undefined };

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        await runContainer({ name: server, run, network: net, cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
        await runContainer({ name: client, run, network: net, cmd: ["sleep", "600"] });
        const dd = await execInContainer(server, ["dd", "if=/dev/zero", "of=/www/big", "bs=1024", "count=2048"]);
        assert.equal(dd.exitCode, 0, dd.stderr);
        defaultQdisc = await rootQdisc(server, run);
        assert.match(defaultQdisc, /^qdisc noqueue 0: root/);
        const t = await transferSeconds(client, url);
        assert.ok(t !== undefined && t < 1, `precondition: 2 MB unthrottled takes well under a second (took ${t} s)`);
    });

    after(async () => {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await removeStack(stack).catch(() => undefined);
        }
        await cleanupRun(run);
    });

    it("up throttles what the server sends to 8 Mbit/s (2 MB ≈ 2.1 s); destroy restores speed and the default qdisc", async () => {
        stack = await openStack(`test-bw-${run}`, {
            experiment: { name: "bw-test", faults: [{ name: "slow", kind: "docker:bandwidth", target: { name: server }, rate: "8mbit", ttl: "10m" }] },
        });
        const p = await stack.preview({ diff: true });
        assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerBandwidth/);
        assert.match(p.stdout, /rate\s*: "8mbit"/);

        const up = await stack.up();
        assert.equal(up.summary.result, "succeeded");
        assert.match(await rootQdisc(server, run), /^qdisc tbf f[0-9a-f]{3}: root refcnt \d+ rate 8Mbit burst 4Kb lat 400ms/);
        const slow = await transferSeconds(client, url);
        // 2 MiB is 16.8 Mbit: 2.1 s at 8 Mbit/s, give or take the bucket and a busy machine.
        assert.ok(slow !== undefined && slow >= 1.8 && slow < 5, `throttled transfer took ${slow} s`);

        const down = await stack.destroy();
        assert.equal(down.summary.result, "succeeded");
        assert.equal(await rootQdisc(server, run), defaultQdisc, "the kernel's default root qdisc is back");
        const fast = await transferSeconds(client, url);
        assert.ok(fast !== undefined && fast < 1, `after destroy the transfer took ${fast} s`);
        assert.deepEqual(await containersLabelled(Labels.stack, stack.name), [], "reaper disarmed, no helper left");
    });

    it("refuses an interface that already carries a faultline qdisc, and one that does not exist", async () => {
        const record = await prepareThenApply(driver, driver.schema.parse({ target: { name: server }, rate: "1mbit" }), ctx);
        try {
            await assert.rejects(
                prepareThenApply(driver, driver.schema.parse({ target: { name: server }, rate: "2mbit" }), ctx),
                new RegExp(`^FaultError: spec\\.interface: interface eth0 of "${server}" already carries another faultline fault \\(qdisc tbf ${faultHandle(ctx.owner)} root`),
            );
            await assert.rejects(
                prepareThenApply(driver, driver.schema.parse({ target: { name: server }, rate: "2mbit", interface: "eth9" }), ctx),
                { message: `spec.interface: container "${server}" has no interface "eth9"; list them with \`docker exec ${server} ip link\` (most have eth0)` },
            );
            assert.deepEqual(record.targets.map((t) => t.before), [defaultQdisc]);
            assert.equal((await driver.observe(record)).active, true);
        } finally {
            assert.equal(await driver.revert(record, ctx), "reverted");
        }
        assert.equal(await driver.revert(record, ctx), "already-reverted");
        assert.equal((await driver.observe(record)).active, false);
        assert.equal(await rootQdisc(server, run), defaultQdisc);
    });
});
