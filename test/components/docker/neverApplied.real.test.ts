// Real Docker: for every Docker fault kind (one bench case each, scripts/bench/cases/), `prepare` changes nothing and
// the revert of a record whose `apply` never ran (a kill between arming and applying) is a clean no-op; and faults
// killed halfway through `apply` are undone: a stressor created but never started, a half-written fill file, rules on
// one of two targets.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DriverContext, FaultDriver } from "../../../components/core/driver";
import { dockerClient, execInContainer } from "../../../components/core/docker";
import { Labels } from "../../../components/core/labels";
import { driver as diskFill } from "../../../components/docker/faults/diskFill";
import { driver as partialPartition } from "../../../components/docker/faults/partialPartition";
import { driver as cpuStress } from "../../../components/docker/faults/cpuStress";
import { addRules, countRules } from "../../../components/docker/netfilter";
import { partitionRules } from "../../../components/docker/faults/partialPartition";
import { toolsImage } from "../../../components/docker/helper";
import { drivers } from "../../../components/registry";
import { loadCases, type BenchRun } from "../../../scripts/bench/case";
import { cleanupRun, createNetwork, runContainer, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { ipOf } from "../../helpers/network";

const run = runId();
const bench: BenchRun = { id: run, labels: { "dev.faultline.bench": run } };
const ctxOf = (kind: string, warnings: string[] = []): DriverContext => ({
    owner: { project: "faultline", stack: `test-never-${run}`, experiment: "never", fault: kind.replace(/\W+/g, "-"), kind },
    expiresAt: Date.now() + 60_000,
    warn: (m) => warnings.push(m),
    info: () => undefined,
});

/** Docker's view of the run's containers: state, limits, endpoints. */
async function snapshot(): Promise<string> {
    const list = await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [`dev.faultline.test=${run}`] }) });
    const out = [];
    for (const c of list.sort((a, b) => (a.Names[0] ?? "").localeCompare(b.Names[0] ?? ""))) {
        const i = await dockerClient().getContainer(c.Id).inspect();
        out.push([i.Name, i.State.Status, i.State.Paused, i.State.StartedAt, i.HostConfig.CpuQuota, i.HostConfig.Memory, JSON.stringify(i.NetworkSettings.Networks)]);
    }
    return JSON.stringify(out);
}

describe("revert of a fault that never went in, or went in halfway (real Docker)", { timeout: SUITE_TIMEOUT_MS }, () => {
    after(async () => {
        const filters = JSON.stringify({ label: [`${Labels.stack}=test-never-${run}`] });
        for (const c of await dockerClient().listContainers({ all: true, filters })) await dockerClient().getContainer(c.Id).remove({ force: true }).catch(() => undefined);
        await cleanupRun(run);
    });

    const cases = loadCases().filter((c, i, all) => all.findIndex((x) => x.kind === c.kind) === i && c.kind !== "docker:netem");
    it("covers every Docker kind but netem (refused on this kernel)", () => {
        const docker = Object.values(drivers).filter((d) => d.target === "docker" && d.kind !== "docker:netem").map((d) => d.kind).sort();
        assert.deepEqual(cases.map((c) => c.kind).sort(), docker);
    });

    for (const c of cases) {
        it(`${c.kind}: prepare changes nothing; revert without apply is "already-reverted" and changes nothing`, async () => {
            const ctx = await c.setup(bench);
            try {
                const d = drivers[c.kind] as FaultDriver<unknown, unknown>;
                assert.equal(await c.healthy(ctx), true, "precondition: healthy");
                const before = await snapshot();
                const record = await d.prepare(d.schema.parse(c.spec(ctx)), ctxOf(c.kind));
                assert.equal(await c.healthy(ctx), true, "prepare changed nothing the probe sees");
                assert.equal(await snapshot(), before, "prepare changed nothing Docker sees");
                assert.equal((await d.observe(record)).active, false);
                assert.equal(await d.revert(JSON.parse(JSON.stringify(record)), ctxOf(c.kind)), "already-reverted");
                assert.equal(await c.healthy(ctx), true);
                assert.equal(await snapshot(), before, "the revert changed nothing");
            } finally {
                await c.teardown?.(ctx);
            }
        });
    }

    describe("halfway", () => {
        let a: string, b: string, peer: string;
        before(async () => {
            const net = `flt-never-${run}`;
            await createNetwork(net, run);
            [a, b, peer] = [`flt-never-a-${run}`, `flt-never-b-${run}`, `flt-never-p-${run}`];
            for (const n of [a, b, peer]) await runContainer({ name: n, run, network: net, cmd: ["sleep", "600"], tmpfs: { "/data": "size=8m" } });
        });

        it("a stressor created but never started is removed by name", async () => {
            const ctx = ctxOf("docker:cpu-stress");
            const record = await cpuStress.prepare(cpuStress.schema.parse({ target: { name: a } }), ctx);
            const t = record.targets[0]!;
            // What a kill between the helper's create and its start leaves behind.
            await dockerClient().createContainer({ name: t.helperName, Image: toolsImage(), Cmd: t.cmd, Labels: { [Labels.stack]: ctx.owner.stack, [Labels.role]: "helper" } });
            assert.equal(await cpuStress.revert(record, ctx), "reverted");
            await assert.rejects(dockerClient().getContainer(t.helperName).inspect(), { statusCode: 404 });
            assert.equal(await cpuStress.revert(record, ctx), "already-reverted");
        });

        it("a half-written fill file is deleted", async () => {
            const ctx = ctxOf("docker:disk-fill");
            const record = await diskFill.prepare(diskFill.schema.parse({ target: { name: a }, path: "/data", bytes: 4 * 1024 * 1024 }), ctx);
            const file = record.targets[0]!.file;
            await execInContainer(a, ["dd", "if=/dev/zero", `of=${file}`, "bs=1024", "count=100"]);
            assert.equal(await diskFill.revert(record, ctx), "reverted");
            assert.equal((await execInContainer(a, ["test", "-e", file])).exitCode, 1, "the file is gone");
            assert.equal(await diskFill.revert(record, ctx), "already-reverted");
        });

        it("rules in place on one of two targets are deleted there, and the other is left alone", async () => {
            const ctx = ctxOf("docker:partial-partition");
            const record = await partialPartition.prepare(partialPartition.schema.parse({ target: { nameRegex: `^flt-never-[ab]-${run}$`, mode: "all", allowAll: true }, peers: [peer] }), ctx);
            assert.equal(record.targets.length, 2);
            const [first] = record.targets;
            await addRules(first!, partitionRules([await ipOf(peer, `flt-never-${run}`)], "both"), record.comment, {}, "spec");
            assert.equal(await countRules(first!, record.comment, {}), 2);
            assert.equal(await partialPartition.revert(record, ctx), "reverted");
            for (const t of record.targets) assert.equal(await countRules(t, record.comment, {}), 0);
            assert.equal(await partialPartition.revert(record, ctx), "already-reverted");
        });
    });
});
