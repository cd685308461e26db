// The runner's phases over a fault path of the test's own (no Pulumi, no Docker): the preflight runs beside the
// warm-up and nothing goes in until both passed; whichever fails first gives the run its reason and stops the other;
// a destroy that clears state after a confirmed direct revert is waited for before the verdict.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parseSpec } from "../../components/core/errors";
import { ExperimentSpec } from "../../components/experiment";
import { provenanceOf } from "../../runner/evidence/provenance";
import { RunState, runPhases, type FaultPath } from "../../runner/run";

let port = 0;
let server: net.Server;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "flt-phases-"));

/** An experiment whose one probe is a TCP connect to `probePort` (ours: passes; port 1: fails). */
function experiment(probePort: number, warmup: string) {
    return parseSpec(
        ExperimentSpec,
        {
            name: "phases",
            hypothesis: { text: "the port answers", probes: [{ name: "port", kind: "tcp", port: probePort, timeout: "200ms" }] },
            timing: { warmup, duration: "1s", cooldown: "0s", recoveryDeadline: "30s", sampleInterval: "50ms", ttl: "1m" },
            faults: [{ name: "pause", kind: "docker:container-pause", target: { name: "never-touched" } }],
        },
        "experiment",
        "experiment",
    );
}

/** A fault path whose preflight waits `preflightMs`, then passes or refuses; it records what ran. */
function fakePath(preflightMs: number, refuse: boolean) {
    const seen = { injected: false, preflightCancelled: false, destroyEnded: 0 };
    const faultPath: FaultPath = {
        async preflight(s, cancel, quickChecked) {
            const phase = s.enter("preflight", "a preflight of the test's own");
            quickChecked();
            await new Promise<void>((resolve) => {
                const t = setTimeout(resolve, preflightMs);
                cancel.addEventListener("abort", () => (clearTimeout(t), resolve()));
            });
            phase.end = s.clock();
            seen.preflightCancelled = cancel.aborted;
            if (cancel.aborted) throw new Error("stopped: the steady state failed first");
            if (refuse) s.end("aborted", "policy check failed, nothing was injected: refused by the test");
        },
        async inject(s) {
            s.enter("inject", "injecting nothing");
            seen.injected = true;
        },
        async rollback() {
            seen.destroyEnded = performance.now();
            return { performed: true, result: "succeeded", attempts: 1, cleared_pending_creates: false, duration_ms: 0, error: null };
        },
        provenance: (s) => provenanceOf(s.opts.stack, s.spec, null, []),
    };
    return { path: faultPath, seen };
}

function stateOf(spec: ReturnType<typeof experiment>, faultPath: FaultPath): RunState {
    return new RunState({ stack: "test-phases", outDir: fs.mkdtempSync(path.join(outDir, "run-")) }, { spec, descriptions: {}, secrets: [] }, faultPath);
}

describe("runner phases: preflight beside the warm-up", () => {
    before(async () => {
        server = net.createServer((c) => c.end());
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        port = (server.address() as net.AddressInfo).port;
    });
    after(() => {
        server.close();
        fs.rmSync(outDir, { recursive: true, force: true });
    });

    it("a preflight that refuses ends the run at once, before the warm-up is over, with its reason; nothing goes in", async () => {
        const { path, seen } = fakePath(100, true);
        const start = performance.now();
        // A far warm-up and a loose bound: "ended at once" from "waited it out", even when the shard's other files
        // hold the event loop for seconds.
        const r = await runPhases(stateOf(experiment(port, "60s"), path));
        assert.ok(performance.now() - start < 30_000, "did not wait out the 60 s warm-up");
        assert.equal(r.evidence.verdict, "aborted");
        assert.match(r.evidence.reason, /policy check failed/);
        assert.equal(seen.injected, false);
    });

    it("a preflight whose quick checks fail ends the run before any probe runs", async () => {
        const faultPath: FaultPath = {
            preflight: async (s) => {
                s.enter("preflight", "quick checks only");
                s.end("aborted", "a target is not there, nothing was injected: refused by the test");
            },
            inject: async () => assert.fail("nothing goes in"),
            rollback: async () => assert.fail("nothing to roll back"),
            provenance: (s) => provenanceOf(s.opts.stack, s.spec, null, []),
        };
        const r = await runPhases(stateOf(experiment(port, "1s"), faultPath));
        assert.match(r.evidence.reason, /a target is not there/);
        assert.deepEqual(r.evidence.samples, []);
        assert.deepEqual(r.evidence.timing.phases.map((p) => p.name), ["preflight"]);
    });

    it("a steady state that fails first gives the reason and cancels the preflight; nothing goes in", async () => {
        const { path, seen } = fakePath(60_000, false);
        const start = performance.now();
        const r = await runPhases(stateOf(experiment(1, "1s"), path));
        assert.ok(performance.now() - start < 30_000, "did not wait for the 60 s preflight");
        assert.match(r.evidence.reason, /steady state not met before injection/);
        assert.equal(seen.preflightCancelled, true);
        assert.equal(seen.injected, false);
    });

    it("a preflight longer than the warm-up: the warm-up lasts until it ends, then the faults go in", async () => {
        const { path, seen } = fakePath(1_500, false);
        const r = await runPhases(stateOf(experiment(port, "1s"), path));
        assert.equal(seen.injected, true);
        const phase = (n: string) => r.evidence.timing.phases.find((p) => p.name === n)!;
        assert.ok(phase("warmup").end_ms >= phase("preflight").end_ms, "the steady state is judged up to the preflight's end");
        assert.ok(phase("preflight").end_ms - phase("preflight").start_ms >= 1_400, "the preflight's phase records its own end");
        assert.deepEqual(r.evidence.timing.phases.map((p) => p.name).slice(0, 3), ["preflight", "warmup", "inject"]);
    });
});
