// Real-engine test of the network-disconnect revert (the driver as the provider, the reaper and `recover` call it):
// the container is reattached with exactly the endpoint settings it had, and a pinned address that another container
// took meanwhile does not make the revert fail, or be retried forever.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { dockerClient } from "../../../components/core/docker";
import { prepareThenApply, type DriverContext } from "../../../components/core/driver";
import { STANDBY_KIND } from "../../../components/core/labels";
import { driver, type NetworkDisconnectRecord } from "../../../components/docker/faults/networkDisconnect";
import { reaper } from "../../../components/docker/reaper";
import { cleanupRun, createNetwork, runContainer, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { reaperLogs } from "../../helpers/faults";
import { waitFor } from "../../helpers/wait";

/** The endpoint settings a revert must restore, as `docker inspect` shows them (the address apart). */
async function settingsOf(container: string, network: string) {
    const info = await dockerClient().getContainer(container).inspect();
    const ep = info.NetworkSettings.Networks[network] as unknown as Record<string, unknown> | undefined;
    if (!ep) return undefined;
    return {
        IPAMConfig: ep.IPAMConfig ?? null,
        Aliases: ((ep.Aliases as string[] | null) ?? []).slice().sort(),
        Links: ep.Links ?? null,
        MacAddress: ep.MacAddress,
        DriverOpts: ep.DriverOpts ?? null,
    };
}

async function addressOf(container: string, network: string): Promise<string | undefined> {
    return (await dockerClient().getContainer(container).inspect()).NetworkSettings.Networks[network]?.IPAddress;
}

/** A driver context that keeps what the driver said. */
function context(stack: string): DriverContext & { warnings: string[] } {
    const warnings: string[] = [];
    return { owner: { project: "faultline", stack, experiment: "e", fault: "f", kind: driver.kind }, warn: (m) => warnings.push(m), info: () => undefined, warnings };
}

describe("network-disconnect revert restores the endpoint exactly (real Docker)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const net = `flt-ndr-${run}`;
    const stack = `test-ndr-${run}`;
    const httpd = ["httpd", "-f", "-p", "8080", "-h", "/www"];
    let subnet = "";
    /** An address of the test network's subnet: host part `n`. */
    const addr = (n: number) => subnet.replace(/0\/24$/, String(n));

    before(async () => {
        subnet = (await createNetwork(net, run)).subnet;
        await runContainer({ name: `flt-ndr-db-${run}`, run, network: net, aliases: ["db"], cmd: httpd });
    });

    after(async () => {
        const filters = JSON.stringify({ label: [`dev.faultline.stack=${stack}`] });
        for (const c of await dockerClient().listContainers({ all: true, filters })) await dockerClient().getContainer(c.Id).remove({ force: true }).catch(() => undefined);
        for (const v of (await dockerClient().listVolumes({ filters })).Volumes ?? []) await dockerClient().getVolume(v.Name).remove().catch(() => undefined);
        await cleanupRun(run);
    });

    it("a container whose address Docker chose: no pin, no links, the same aliases and MAC after revert", async () => {
        const name = `flt-ndr-dyn-${run}`;
        await runContainer({ name, run, network: net, aliases: ["web", "www"], cmd: httpd });
        const before_ = await settingsOf(name, net);
        assert.equal(before_?.IPAMConfig, null, "precondition: nothing pinned");
        assert.equal(before_?.Links, null, "precondition: no links");

        const ctx = context(stack);
        const record = await prepareThenApply(driver, { container: name, network: net }, ctx);
        assert.equal(record.ipamConfig, undefined);
        assert.equal(record.links, undefined);
        assert.equal(await settingsOf(name, net), undefined, "cut off");
        assert.equal(await driver.revert(record, ctx), "reverted");
        assert.deepEqual(await settingsOf(name, net), before_);
        assert.deepEqual(ctx.warnings, []);
        assert.equal(await driver.revert(record, ctx), "already-reverted");
    });

    it("a container with a pinned address and links: the same pin, links, aliases and MAC after revert", async () => {
        const name = `flt-ndr-pin-${run}`;
        await runContainer({ name, run, network: net, aliases: ["api"], cmd: httpd, endpoint: { IPAMConfig: { IPv4Address: addr(40) }, Links: [`flt-ndr-db-${run}:database`] } });
        const before_ = await settingsOf(name, net);
        assert.deepEqual(before_?.IPAMConfig, { IPv4Address: addr(40) }, "precondition: pinned");
        assert.deepEqual(before_?.Links, [`flt-ndr-db-${run}:database`], "precondition: linked");

        const ctx = context(stack);
        const record = await prepareThenApply(driver, { container: name, network: net }, ctx);
        assert.equal(await driver.revert(record, ctx), "reverted");
        assert.deepEqual(await settingsOf(name, net), before_);
        assert.equal(await addressOf(name, net), addr(40));
        assert.deepEqual(ctx.warnings, []);
    });

    it("a pinned address taken meanwhile: the reaper reconnects it with an address Docker chooses, once, and says so", async () => {
        const name = `flt-ndr-taken-${run}`;
        await runContainer({ name, run, network: net, aliases: ["victim"], cmd: httpd, endpoint: { IPAMConfig: { IPv4Address: addr(50) } } });
        const ctx = context(stack);
        const record: NetworkDisconnectRecord = await prepareThenApply(driver, { container: name, network: net }, ctx);
        // What an engine restart can do: another container comes up with the address first.
        await runContainer({ name: `flt-ndr-thief-${run}`, run, network: net, cmd: httpd, endpoint: { IPAMConfig: { IPv4Address: addr(50) } } });

        // The reaper reverts it at its deadline, as after a kill -9 of everything. A standby keeps the reaper from
        // retiring (and taking its log with it) once the revert is done.
        const owner = { project: "faultline", stack, experiment: "e", fault: "taken", kind: driver.kind };
        await reaper.arm({ id: `test/${stack}/standby`, kind: STANDBY_KIND, record: null, owner: { ...owner, fault: "", kind: STANDBY_KIND }, expiresAt: Date.now() + 600_000 });
        await reaper.arm({ id: `test/${stack}/taken`, kind: driver.kind, record, owner, expiresAt: Date.now() + 1_500 });
        await waitFor("the reaper to reconnect the container", async () => /time-to-live reached/.test(await reaperLogs(stack)), 30_000).catch(async (err: Error) => {
            throw new Error(`${err.message}\n${await reaperLogs(stack)}`);
        });
        const now = await settingsOf(name, net);
        assert.equal(now?.IPAMConfig, null, "not pinned to an address it does not have");
        assert.notEqual(await addressOf(name, net), addr(50));
        const shortId = (await dockerClient().getContainer(name).inspect()).Id.slice(0, 12);
        assert.deepEqual(now?.Aliases, ["victim", shortId].sort(), "its aliases, and Docker's own short-id alias");
        const logs = await reaperLogs(stack);
        assert.match(logs, new RegExp(`warning: "${name}" was pinned to ${addr(50).replace(/\./g, "\\.")} on "${net}", which Docker refused now \\("Address already in use"\\); reconnected with the address Docker chose, 10\\.213\\.\\d+\\.\\d+, and no pin`));
        assert.match(logs, new RegExp(`time-to-live reached: docker:network-disconnect "taken" of stack ${stack}: reverted`));
        assert.doesNotMatch(logs, /failed/, "reverted at the first try");
    });
});
