// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { canFetch, cleanupRun, createNetwork, endpointOf, runContainer, runId } from "../../helpers/docker";

describe("NetworkDisconnect (real Docker, real Pulumi engine)", { timeout: 600_000 }, () => {
    const run = runId();
    const net = `flt-nd-${run}`;
    const web = `flt-nd-web-${run}`;
    const client = `flt-nd-client-${run}`;
    const url = `http://web:8080/`;
    let stack: Stack;
    let before_: { ip: string; aliases: string[] } | undefined;

    const experiment = (container = web, network = net) => ({
        name: "nd-test",
        faults: [{ name: "web-partition", kind: "docker:network-disconnect", container, network, ttl: "10m" }],
    });

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        await runContainer({ name: web, run, network: net, aliases: ["web", "www"], publish: 8080, cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
        await runContainer({ name: client, run, network: net, cmd: ["sleep", "600"] });
        assert.equal(await canFetch(client, url), true, "precondition: client reaches web before any fault");
        before_ = await endpointOf(web, net);
        stack = await openStack(`test-nd-${run}`, { experiment: experiment() });
    });

    after(async () => {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await removeStack(stack).catch(() => undefined);
        }
        await cleanupRun(run);
    });

    it("preview lists the fault with its target and network", async () => {
        const p = await stack.preview({ diff: true });
        assert.equal(p.changeSummary.create, 4, "stack, component, fault and experiment metadata");
        assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerNetworkDisconnect/);
        assert.match(p.stdout, new RegExp(`container: "${web}"`));
        assert.match(p.stdout, new RegExp(`network\\s*: "${net}"`));
        assert.equal(await canFetch(client, url), true, "preview must not inject anything");
    });

    it("up cuts the target off: its peer can no longer reach it", async () => {
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        assert.equal(await endpointOf(web, net), undefined, "web is detached from the network");
        assert.equal(await canFetch(client, url), false, "client cannot reach web");
    });

    it("a second up with no change is a no-op", async () => {
        const r = await stack.up();
        assert.deepEqual(r.summary.resourceChanges, { same: 4 });
        assert.equal(await endpointOf(web, net), undefined);
    });

    it("destroy reconnects the target with the same IP and aliases", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        assert.deepEqual(await endpointOf(web, net), before_);
        assert.equal(await canFetch(client, url), true, "client reaches web again");
    });

    it("destroy still succeeds, with a warning, after the target container was removed by hand", async () => {
        await stack.up();
        const { dockerClient } = await import("../../../components/core/docker");
        await dockerClient().getContainer(web).remove({ force: true });
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        assert.match(r.stdout, /no longer exists; nothing to reconnect/);
    });

    it("names the field when the container does not exist", async () => {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment(`no-such-${run}`)) });
        await assert.rejects(stack.up(), /spec\.container: no container "no-such-[0-9a-f]+"; list containers with `docker ps -a`/);
    });

    it("names the field when the network does not exist", async () => {
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment(client, `no-such-${run}`)) });
        await assert.rejects(stack.up(), /spec\.network: no Docker network "no-such-[0-9a-f]+"/);
    });

    it("names the field when the container is not attached to the network", async () => {
        const other = `flt-nd-other-${run}`;
        await createNetwork(other, run);
        await stack.setConfig("faultline:experiment", { value: JSON.stringify(experiment(client, other)) });
        await assert.rejects(
            stack.up(),
            new RegExp(`spec\\.container: container "${client}" is not attached to network "${other}" \\(it is attached to: ${net}\\)`),
        );
    });
});
