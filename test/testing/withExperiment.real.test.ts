// Real-engine test of withExperiment (testing/): the runner's phases and verdict around a test's own block, with
// the faults injected through their drivers (no Pulumi stack). Two busybox httpd containers: "web" is paused,
// "other" is not; the hypothesis probes one or the other.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { dockerClient } from "../../components/core/docker";
import { Labels, STANDBY_KIND } from "../../components/core/labels";
import { armedFaults } from "../../components/docker/reaper";
import { ExperimentRefutedError, withExperiment } from "../../testing";
import { cleanupRun, runContainer, runId, SUITE_TIMEOUT_MS } from "../helpers/docker";
import { waitFor } from "../helpers/wait";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("withExperiment (real Docker, no Pulumi)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const web = `flt-tk-we-web-${run}`;
    const other = `flt-tk-we-other-${run}`;
    const stack = `test-tk-we-${run}`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flt-tk-we-"));
    const ports: Record<string, string> = {};
    const paused = async () => (await dockerClient().getContainer(web).inspect()).State.Paused;

    /**
     * An experiment that pauses web and probes `probed` (web: refuted; other: held). A frozen web fails its probe by
     * the 300 ms timeout; other's probe allows a loaded machine 3 s.
     */
    const experiment = (name: string, probed: string) => ({
        name,
        hypothesis: {
            text: `${probed} keeps answering while web is frozen`,
            probes: [{ name: "probed-http", kind: "http", url: `http://127.0.0.1:${ports[probed]}/`, timeout: probed === web ? "300ms" : "3s", bodyContains: "hello" }],
            // The machine is shared and loaded: latency is not what this test is about.
            slo: { latency: { p95: "5s" } },
        },
        timing: { warmup: "1s", cooldown: "0s", recoveryDeadline: "30s", sampleInterval: "50ms" },
        faults: [{ name: "web-freeze", kind: "docker:container-pause", target: { name: web }, ttl: "2m" }],
    });

    before(async () => {
        const httpd = ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"];
        for (const [name, key] of [[web, web], [other, other]] as const) {
            await runContainer({ name, run, publish: 8080, cmd: httpd });
            ports[key] = (await dockerClient().getContainer(name).inspect()).NetworkSettings.Ports["8080/tcp"]![0]!.HostPort;
        }
    });

    after(async () => {
        await cleanupRun(run);
        fs.rmSync(tmp, { recursive: true, force: true });
        // The stack's reaper retires once its standby (withFault's, 30 s) ends; wait for that, so nothing is left.
        const reapers = async () => dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [`${Labels.stack}=${stack}`, `${Labels.role}=reaper`] }) });
        await waitFor("the test stack's reaper retires", async () => (await reapers()).length === 0, 90_000);
    });

    it("held: the block runs with the fault in, then rollback, recovery and the verdict, with evidence", async () => {
        let seenIn = false;
        const result = await withExperiment(experiment("other-holds", other), async (faults) => {
            seenIn = (await faults["web-freeze"]!.observe()).active && (await paused());
            await sleep(1500);
        }, { owner: { stack }, outDir: path.join(tmp, "held") });
        assert.equal(seenIn, true);
        assert.equal(result.exitCode, 0, result.evidence.reason);
        assert.equal(result.evidence.verdict, "held");
        assert.equal(result.evidence.status, "completed");
        assert.deepEqual(result.evidence.timing.phases.map((p) => p.name), ["warmup", "inject", "fault", "rollback", "recovery"]);
        assert.equal(result.evidence.rollback.result, "succeeded");
        assert.ok(fs.existsSync(path.join(tmp, "held", "evidence.json")));
        assert.equal(await paused(), false);
        assert.deepEqual((await armedFaults({ stack })).filter((a) => a.id !== "" && a.kind !== STANDBY_KIND), []);
    });

    it("refuted: throws an assertion-style error naming the violated SLO, after rolling back", async () => {
        await assert.rejects(
            withExperiment(experiment("web-refuted", web), () => sleep(1500), { owner: { stack }, outDir: path.join(tmp, "refuted") }),
            (err) => {
                assert.ok(err instanceof ExperimentRefutedError);
                assert.equal(err.actual, "refuted");
                assert.match(err.message, /^experiment "web-refuted" refuted: .*error rate/);
                assert.ok(err.result.evidence.violations.length > 0);
                return true;
            },
        );
        assert.equal(await paused(), false);
    });

    it("refuted with throwOnRefuted: false returns the verdict; the block's own error is rethrown after rollback", async () => {
        const r = await withExperiment(experiment("web-refuted-quiet", web), () => sleep(1500), { owner: { stack }, outDir: path.join(tmp, "quiet"), throwOnRefuted: false });
        assert.equal(r.exitCode, 1);
        assert.equal(r.evidence.verdict, "refuted");
        const boom = new Error("the code under test failed");
        await assert.rejects(withExperiment(experiment("block-throws", other), () => Promise.reject(boom), { owner: { stack }, outDir: path.join(tmp, "throws") }), (err) => err === boom);
        assert.equal(await paused(), false);
        assert.deepEqual((await armedFaults({ stack })).filter((a) => a.id !== "" && a.kind !== STANDBY_KIND), []);
    });

    it("refuses a kind without a Docker driver before anything is touched", async () => {
        const exp = { ...experiment("k8s", other), faults: [{ name: "kill", kind: "kubernetes:pod-kill", selector: { namespace: "default", labels: { app: "x" }, mode: "one" }, ttl: "2m" }] };
        let ran = false;
        await assert.rejects(withExperiment(exp, () => void (ran = true), { owner: { stack } }), {
            name: "ExperimentRefusedError",
            message: 'experiment.faults[0].kind: withExperiment injects Docker faults through their drivers; "kubernetes:pod-kill" needs `faultline run` (a Pulumi stack)',
        });
        assert.equal(ran, false);
    });
});
