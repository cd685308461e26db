// Real-engine test: the provider's own safety checks, without the policy pack. A plain `pulumi up` (real CLI, local
// backend) on an unlabelled container is refused; selectors never reach faultline's own containers; the host-wide
// bounds (CPU workers, memory percent without a limit, disk-fill reserve) refuse at preview against real containers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { dockerClient } from "../../../components/core/docker";
import { REAPER_MODULES, type FaultResourceInputs } from "../../../components/core/FaultResource";
import { faultProviderFor } from "../../../components/core/faultProvider";
import { Labels } from "../../../components/core/labels";
import { selectContainers } from "../../../components/docker/selector";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { cleanupRun, createNetwork, runContainer, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { reapersOf, setExperiment, summarizedByEvents } from "../../helpers/pulumi";

const drivers = "../../../components/docker/faults";
const MiB = 1024 * 1024;

/** The provider's `check` of one fault, as `pulumi preview` runs it: the failures' reasons, or the checked inputs. */
async function check(driver: string, kind: string, spec: unknown, owner: Partial<FaultResourceInputs["owner"]> = {}) {
    const news: FaultResourceInputs = {
        kind,
        spec,
        owner: { project: "faultline", stack: "test-safety", experiment: "safety", fault: "f", kind, ...owner },
        ttlMs: 60_000,
    };
    const r = await faultProviderFor(require.resolve(`${drivers}/${driver}`), REAPER_MODULES).check({} as FaultResourceInputs, news);
    return { failures: (r.failures ?? []).map((f) => `${f.property}: ${f.reason}`), inputs: r.inputs };
}

describe("provider-side safety (real Docker, real Pulumi engine, no policy pack)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const net = `flt-safe-${run}`;
    const bare = `flt-safe-bare-${run}`;
    const labelled = `flt-safe-in-${run}`;
    const cpuOne = `flt-safe-cpu1-${run}`;
    const limited = `flt-safe-mem-${run}`;
    const fakeReaper = `flt-safe-reaper-${run}`;
    const stackName = `test-safe-${run}`;
    let stack: Stack;

    const experiment = (fields: Record<string, unknown> = {}) => ({
        name: "safety-test",
        ...fields,
        faults: [{ name: "freeze", kind: "docker:container-pause", target: { name: bare }, ttl: "2m" }],
    });
    const paused = async (name: string) => (await dockerClient().getContainer(name).inspect()).State.Paused;

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        await runContainer({ name: bare, run, network: net, cmd: ["sleep", "900"], optIn: false });
        await runContainer({ name: labelled, run, network: net, cmd: ["sleep", "900"] });
        await runContainer({ name: cpuOne, run, cmd: ["sleep", "900"], hostConfig: { NanoCpus: 1e9 } });
        await runContainer({ name: limited, run, cmd: ["sleep", "900"], memory: 64 * MiB });
        // Stands in for a reaper: what makes a container faultline's own is its labels, and selectors go by them.
        await runContainer({
            name: fakeReaper,
            run,
            network: net,
            cmd: ["sleep", "900"],
            labels: { [Labels.managed]: "true", [Labels.role]: "reaper", [Labels.stack]: `test-fake-${run}` },
        });
        stack = summarizedByEvents(await openStack(stackName, { experiment: experiment() }));
    });

    after(async () => {
        if (stack) {
            await stack.cancel().catch(() => undefined);
            await stack.destroy().catch(() => undefined);
            await removeStack(stack).catch(() => undefined);
        }
        await cleanupRun(run);
    });

    it("a plain `pulumi up` on an unlabelled container is refused by the provider; nothing is paused or armed", async () => {
        const expected = `"${bare}" is not opted in to faults: it lacks the label chaos.opt-in=true; add it (\`docker run --label chaos.opt-in=true\`, or in compose \`labels: { chaos.opt-in: "true" }\`), or opt this experiment out with allowUnlabelledTargets: true`;
        await assert.rejects(stack.preview(), (err: Error) => err.message.includes(expected));
        const up = await stack.up().then(
            () => "succeeded",
            (err: Error) => err.message,
        );
        assert.ok(up.includes(expected), up);
        assert.equal(await paused(bare), false, "the container was never paused");
        assert.deepEqual(await reapersOf(stackName, "freeze"), [], "no fault was armed");
    });

    it("with allowUnlabelledTargets: true the fault goes in, with a warning naming the container", async () => {
        await setExperiment(stack, experiment({ allowUnlabelledTargets: true }));
        const up = await stack.up();
        assert.equal(up.summary.result, "succeeded");
        assert.ok(
            up.stdout.includes(`fault "freeze" targets "${bare}" without the label chaos.opt-in=true, because the experiment set allowUnlabelledTargets: true`),
            up.stdout,
        );
        assert.equal(await paused(bare), true);
        await stack.destroy();
        assert.equal(await paused(bare), false);
    });

    it('selectors never match faultline\'s own containers, even nameRegex ".*" with mode all', async () => {
        const all = await selectContainers({ nameRegex: ".*", mode: "all", allowAll: true }, "spec.target");
        const names = all.map((c) => c.name);
        assert.ok(names.includes(labelled) && names.includes(bare), "the containers under test are matched");
        assert.ok(!names.includes(fakeReaper), "the reaper is not");
        assert.deepEqual(all.filter((c) => c.labels[Labels.managed] === "true" || ["reaper", "helper"].includes(c.labels[Labels.role] ?? "")), []);
        await assert.rejects(selectContainers({ name: fakeReaper, mode: "one" }, "spec.target"), /no running container with name/);
    });

    it("network-disconnect cannot name a reaper: refused at preview", async () => {
        const r = await check("networkDisconnect", "docker:network-disconnect", { container: fakeReaper, network: net });
        assert.deepEqual(r.failures, [`targets: "${fakeReaper}" is one of faultline's own reapers or helpers, which no fault may target; name the container under test instead`]);
    });

    it("cpu-stress: more workers than the target's CPUs is refused at preview (host CPUs, then a 1-CPU quota)", async () => {
        const ncpu = ((await dockerClient().info()) as { NCPU: number }).NCPU;
        const host = await check("cpuStress", "docker:cpu-stress", { target: { name: labelled }, workers: 64 });
        assert.deepEqual(host.failures, [
            `spec.workers: 64 workers for "${labelled}", which may use ${ncpu} CPU(s) (the host's: it has no CPU quota or cpuset); lower workers to at most ${ncpu}, one per CPU keeps them all busy`,
        ]);
        const quota = await check("cpuStress", "docker:cpu-stress", { target: { name: cpuOne }, workers: 2 });
        assert.deepEqual(quota.failures, [`spec.workers: 2 workers for "${cpuOne}", which may use 1 CPU(s) (its CPU quota); lower workers to at most 1, one per CPU keeps them all busy`]);
        const ok = await check("cpuStress", "docker:cpu-stress", { target: { name: cpuOne }, workers: 1 });
        assert.deepEqual(ok.failures, []);
        assert.deepEqual(
            ok.inputs?.targets?.map((t) => ({ name: t.name, optIn: t.labels["chaos.opt-in"], capacity: t.capacity })),
            [{ name: cpuOne, optIn: "true", capacity: { cpus: 1, cpusFrom: "quota" } }],
        );
    });

    it("memory-stress: a percentage of a container without a memory limit is refused at preview; bytes or a limit pass", async () => {
        const r = await check("memoryStress", "docker:memory-stress", { target: { name: labelled }, percent: 50 });
        assert.deepEqual(r.failures, [
            `spec.percent: "${labelled}" has no memory limit, so 50% would be of the whole host's memory; give an absolute size in bytes instead (e.g. bytes: "256MiB"), or give the container a limit (\`docker run --memory 512m\`)`,
        ]);
        assert.deepEqual((await check("memoryStress", "docker:memory-stress", { target: { name: labelled }, bytes: "16MiB" })).failures, []);
        const withLimit = await check("memoryStress", "docker:memory-stress", { target: { name: limited }, percent: 50 });
        assert.deepEqual(withLimit.failures, []);
        assert.deepEqual(withLimit.inputs?.targets?.[0]?.capacity, { memoryLimitBytes: 64 * MiB });
    });

    it("disk-fill: 100% of a container's root (the host's disk) is refused at preview, naming the device", async () => {
        const r = await check("diskFill", "docker:disk-fill", { target: { name: labelled }, path: "/tmp", percent: 100 });
        assert.equal(r.failures.length, 1);
        assert.match(
            r.failures[0]!,
            /^spec\.percent: writing \S+ into \/tmp of "flt-safe-in-\w+" \(overlay on the Docker host's disk under \/var\/lib\/docker \(the container's overlay root\): \S+ free of \S+\) would leave less than the 10% reserve \(\S+\) free; lower percent to at most \d+, or lower reservePercent$/,
        );
        const ok = await check("diskFill", "docker:disk-fill", { target: { name: labelled }, path: "/tmp", bytes: "1MiB" });
        assert.deepEqual(ok.failures, []);
        const fs = ok.inputs?.targets?.[0]?.capacity?.filesystem;
        assert.equal(fs?.type, "overlay");
        assert.equal(fs?.device, "the Docker host's disk under /var/lib/docker (the container's overlay root)");
        assert.equal(fs?.hostShared, true);
        assert.equal(fs?.fillBytes, MiB);
        assert.equal(fs?.reserveBytes, Math.ceil(fs!.sizeBytes / 10));
    });
});
