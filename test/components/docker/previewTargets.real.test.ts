// Preview validates every target of every Docker kind: the provider's `check` (what `pulumi preview` runs) fails,
// with the field's path, on a target that is not there or not in the state the fault needs, and says "no such
// container" (network, proxy) first, before any preflight or opt-in check has its say. Preview only: nothing is
// injected, so each case costs one `check` against the real engine.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FaultOwner } from "../../../components/core/labels";
import { faultProviderFor } from "../../../components/core/faultProvider";
import { REAPER_MODULES } from "../../../components/core/FaultResource";
import { DOCKER_FAULTS } from "../../../components/registry";
import { cleanupRun, createNetwork, runContainer, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { TOXIPROXY_IMAGE } from "../../helpers/toxiproxy";

const run = runId();
const missing = `no-such-${run}`;
const sel = { name: missing };

/** A spec per kind whose container (or Toxiproxy) does not exist; everything else in it is valid. */
const MISSING: Record<string, Record<string, unknown>> = {
    "docker:bandwidth": { target: sel, rate: "1mbit" },
    "docker:clock-skew": { target: sel, offset: "+1h" },
    "docker:container-kill": { target: sel },
    "docker:container-pause": { target: sel },
    "docker:container-restart": { target: sel },
    "docker:container-stop": { target: sel },
    "docker:cpu-stress": { target: sel, workers: 1 },
    "docker:dependency-down": { toxiproxy: { container: missing }, proxy: "db" },
    "docker:disk-fill": { target: sel, path: "/tmp", bytes: "1MiB" },
    "docker:dns-failure": { target: sel },
    "docker:http-fault": { target: sel, port: 8080, routes: [{ status: 503 }] },
    "docker:io-stress": { target: sel },
    "docker:memory-stress": { target: sel, bytes: "10MiB" },
    "docker:netem": { target: sel, delay: "100ms" },
    "docker:network-disconnect": { container: missing, network: `${missing}-net` },
    "docker:partial-partition": { target: sel, peers: ["10.0.0.1"] },
    "docker:process-kill": { target: sel, process: "node" },
    "docker:resource-limits": { target: sel, cpus: 0.5 },
    "docker:toxiproxy-toxic": { toxiproxy: { container: missing }, proxy: "db", type: "latency", latency: "100ms" },
};

const SELECTOR_MISSING = [{ property: "spec.target", reason: `no such container: no running container with name "${missing}"; check \`docker ps\`` }];
const TOXIPROXY_MISSING = [{ property: "spec.toxiproxy.container", reason: `no such container "${missing}"; list containers with \`docker ps -a\`` }];

/** What the provider's check says about `spec` of `kind` (failures, or none), as `pulumi preview` would show it. */
async function check(kind: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const def = DOCKER_FAULTS.find((f) => f.kind === kind)!;
    const owner: FaultOwner = { project: "faultline", stack: `test-pt-${run}`, experiment: "preview-targets", fault: "f", kind };
    const r = await faultProviderFor(def.module, REAPER_MODULES).check({} as never, { kind, spec, owner, ttlMs: 60_000, ...extra } as never);
    return r.failures ?? [];
}

describe("preview validates every target of every Docker kind", { timeout: SUITE_TIMEOUT_MS }, () => {
    const names = { net: `flt-pt-net-${run}`, other: `flt-pt-other-${run}`, web: `flt-pt-web-${run}`, toxiproxy: `flt-pt-toxiproxy-${run}` };
    before(async () => {
        await Promise.all([createNetwork(names.net, run), createNetwork(names.other, run)]);
        await Promise.all([
            runContainer({ name: names.web, run, network: names.net, cmd: ["sleep", "3600"] }),
            runContainer({ name: names.toxiproxy, run, network: names.net, image: TOXIPROXY_IMAGE, publish: 8474, cmd: ["toxiproxy", "-host", "0.0.0.0"] }),
        ]);
    });
    after(() => cleanupRun(run));

    it("every Docker kind has a target check, and a case here", () => {
        assert.deepEqual(DOCKER_FAULTS.filter((f) => !f.driver.checkTargets).map((f) => f.kind), []);
        assert.deepEqual(Object.keys(MISSING).sort(), DOCKER_FAULTS.map((f) => f.kind).sort());
    });

    for (const kind of Object.keys(MISSING).sort()) {
        it(`${kind}: a missing target fails the preview with its field and "no such container", and nothing else`, async () => {
            const failures = await check(kind, MISSING[kind]!);
            if (kind === "docker:network-disconnect") {
                assert.deepEqual(failures, [
                    { property: "spec.container", reason: `no such container "${missing}"; list containers with \`docker ps -a\`` },
                    { property: "spec.network", reason: `no such network "${missing}-net"; list networks with \`docker network ls\`` },
                ]);
            } else if (kind.startsWith("docker:dependency-down") || kind === "docker:toxiproxy-toxic") {
                assert.deepEqual(failures, TOXIPROXY_MISSING);
            } else {
                assert.deepEqual(failures, SELECTOR_MISSING);
            }
        });
    }

    it("network-disconnect: a container that is not attached to the network is refused, naming where it is attached", async () => {
        assert.deepEqual(await check("docker:network-disconnect", { container: names.web, network: names.other }), [
            { property: "spec.container", reason: `container "${names.web}" is not attached to network "${names.other}" (it is attached to: ${names.net}); pick one of those networks or attach it first` },
        ]);
        assert.deepEqual(await check("docker:network-disconnect", { container: names.web, network: `${missing}-net` }), [
            { property: "spec.network", reason: `no such network "${missing}-net"; list networks with \`docker network ls\`` },
        ]);
    });

    it("partial-partition: a peer container that is not there is named by its index", async () => {
        assert.deepEqual(await check("docker:partial-partition", { target: { name: names.web }, peers: [missing] }), [
            { property: "spec.peers[0]", reason: `no such container "${missing}"; list containers with \`docker ps\`` },
        ]);
    });

    it("the Toxiproxy kinds: a proxy the Toxiproxy does not have is refused, listing those it has", async () => {
        for (const kind of ["docker:dependency-down", "docker:toxiproxy-toxic"]) {
            const spec = { ...MISSING[kind]!, toxiproxy: { container: names.toxiproxy } };
            const failures = await check(kind, spec);
            assert.equal(failures.length, 1, JSON.stringify(failures));
            assert.equal(failures[0]!.property, "spec.proxy");
            assert.match(failures[0]!.reason, new RegExp(`^no proxy "db" on the Toxiproxy of container "${names.toxiproxy}"; it has: none\\. Create the proxy first`));
        }
    });

    it("a target that is there passes the target check (then the opt-in check has its say, as before)", async () => {
        assert.deepEqual(await check("docker:container-pause", { target: { name: names.web } }), []);
    });

    it("targets the stack creates itself (its Compose sandbox) are left to inject: the preview passes", async () => {
        assert.deepEqual(await check("docker:container-pause", MISSING["docker:container-pause"]!, { deferTargets: true }), []);
        assert.deepEqual(await check("docker:network-disconnect", MISSING["docker:network-disconnect"]!, { deferTargets: true }), []);
    });
});
