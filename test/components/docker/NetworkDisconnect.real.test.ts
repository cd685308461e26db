// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { it } from "node:test";
import { dockerClient } from "../../../components/core/docker";
import { canFetch, createNetwork, endpointOf } from "../../helpers/docker";
import { faultCycleSuite } from "../../helpers/faultCycle";
import { setExperiment } from "../../helpers/pulumi";

/** Where the web target was on its network before the fault: what every revert must give back exactly. */
let prior: { ip: string; aliases: string[] } | undefined;

faultCycleSuite({
    title: "NetworkDisconnect",
    tag: "nd",
    fault: (t) => ({ kind: "docker:network-disconnect", container: t.web, network: t.net }),
    // Two aliases and a published port: the revert must bring all of them back, with the same IP.
    web: { aliases: ["web", "www"], publish: 8080 },
    prepare: async (t) => void (prior = await endpointOf(t.web, t.net)),
    snapshot: (t) => endpointOf(t.web, t.net),
    inEffect: async (t) => (await endpointOf(t.web, t.net)) === undefined,
    answersDuringFault: false,
    // An operator reattaches the container by hand, with its old address and aliases.
    revertByHand: async (t) => {
        await dockerClient().getNetwork(t.net).connect({ Container: t.web, EndpointConfig: { IPAMConfig: { IPv4Address: prior!.ip }, Aliases: prior!.aliases } });
    },
    extraTests: ({ t, stack, experiment }) => {
        const set = (fields: Record<string, unknown> = {}) => setExperiment(stack(), experiment("10m", fields));

        it("preview lists the fault with its target and network, and injects nothing", async () => {
            await set();
            const p = await stack().preview({ diff: true });
            assert.equal(p.changeSummary.create, 4, "stack, component, fault and experiment metadata");
            assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerNetworkDisconnect/);
            assert.match(p.stdout, new RegExp(`container: "${t.web}"`));
            assert.match(p.stdout, new RegExp(`network\\s*: "${t.net}"`));
            assert.equal(await canFetch(t.client, t.url), true, "preview must not inject anything");
        });

        it("a second up with no change is a no-op", async () => {
            await stack().up();
            const r = await stack().up();
            assert.deepEqual(r.summary.resourceChanges, { same: 4 });
            assert.equal(await endpointOf(t.web, t.net), undefined);
            assert.equal((await stack().destroy()).summary.result, "succeeded");
            assert.deepEqual(await endpointOf(t.web, t.net), prior);
        });

        it("names the field when the container does not exist", async () => {
            await set({ container: `no-such-${t.run}` });
            await assert.rejects(stack().up(), /spec\.container.*has a problem: no such container "no-such-[0-9a-f]+"; list containers with `docker ps -a`/);
        });

        it("names the field when the network does not exist", async () => {
            await set({ container: t.client, network: `no-such-${t.run}` });
            await assert.rejects(stack().up(), /spec\.network.*has a problem: no such network "no-such-[0-9a-f]+"; list networks with `docker network ls`/);
        });

        it("names the field when the container is not attached to the network", async () => {
            const other = `flt-nd-other-${t.run}`;
            await createNetwork(other, t.run);
            await set({ container: t.client, network: other });
            await assert.rejects(
                stack().up(),
                new RegExp(`spec\\.container.*has a problem: container "${t.client}" is not attached to network "${other}" \\(it is attached to: ${t.net}\\)`),
            );
        });

        // Last: it removes the web target.
        it("destroy still succeeds, with a warning, after the target container was removed by hand", async () => {
            await set();
            await stack().up();
            await dockerClient().getContainer(t.web).remove({ force: true });
            const r = await stack().destroy();
            assert.equal(r.summary.result, "succeeded");
            assert.match(r.stdout, /no longer exists; nothing to reconnect/);
        });
    },
});
