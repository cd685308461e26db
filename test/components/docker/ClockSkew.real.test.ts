// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { it } from "node:test";
import { dockerClient, execInContainer } from "../../../components/core/docker";
import { runContainer } from "../../helpers/docker";
import { faultCycleSuite } from "../../helpers/faultCycle";
import { waitFor } from "../../helpers/wait";
import { setExperiment } from "../../helpers/pulumi";

const TOOLS = process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1";

/** A target that supports clock skew, as docs/stress-disk-clock.md describes. */
const FAKETIME_ENV = [
    "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "FAKETIME_TIMESTAMP_FILE=/etc/faketime",
    "FAKETIME_CACHE_DURATION=1",
    "FAKETIME_DONT_FAKE_MONOTONIC=1",
];

/**
 * Its long-running process writes what it thinks the time is, so the test sees a running process's clock; it also
 * answers HTTP on 8080 for the suite's client probe.
 */
const CLOCK_WRITER =
    "setInterval(() => require('fs').writeFileSync('/tmp/now', String(Date.now())), 200);" +
    "require('http').createServer((q, s) => s.end('ok')).listen(8080)";

/**
 * The output of `cmd` in the container, and the host's time in seconds halfway through the exec: each reading is
 * compared with the moment of its own exec, so a slow `docker exec` on a loaded machine (seconds, at times) does not
 * read as skew.
 */
async function readAt(container: string, cmd: string[]): Promise<{ out: string; at: number }> {
    const before = Date.now();
    const r = await execInContainer(container, cmd);
    return { out: r.stdout.trim(), at: (before + Date.now()) / 2000 };
}

/** Seconds the target is ahead of the host: as a new process (`date`) sees it, and as its long-running one does. */
async function skewOf(container: string): Promise<{ exec: number; running: number }> {
    const date = await readAt(container, ["date", "+%s"]);
    const running = await readAt(container, ["cat", "/tmp/now"]);
    return { exec: Math.round(Number(date.out) - date.at), running: Math.round(Number(running.out) / 1000 - running.at) };
}

/** True when both views of the target's clock are `offset` seconds off the host's, within 3 s. */
async function skewedBy(container: string, offset: number): Promise<boolean> {
    const s = await skewOf(container);
    return Math.abs(s.exec - offset) <= 3 && Math.abs(s.running - offset) <= 3;
}

const startedAt = async (container: string) => (await dockerClient().getContainer(container).inspect()).State.StartedAt;
const faketimeFile = async (container: string) => (await execInContainer(container, ["test", "-e", "/etc/faketime"])).exitCode === 0;

faultCycleSuite({
    title: "ClockSkew",
    tag: "clock",
    fault: (t) => ({ kind: "docker:clock-skew", target: { name: t.web }, offset: "-3h" }),
    web: { image: TOOLS, env: FAKETIME_ENV, cmd: ["node", "-e", CLOCK_WRITER] },
    prepare: async (t) => {
        await waitFor("the target's clock writer", async () => (await execInContainer(t.web, ["test", "-s", "/tmp/now"])).exitCode === 0);
        assert.ok(await skewedBy(t.web, 0), "precondition: the target's clock is the host's");
    },
    // Real time for new and running processes, and no /etc/faketime (the fault created it).
    snapshot: async (t) => ({ realTime: await skewedBy(t.web, 0), faketimeFile: await faketimeFile(t.web) }),
    inEffect: (t) => skewedBy(t.web, -3 * 3600),
    // The running process reads the file on its next tick (FAKETIME_CACHE_DURATION=1).
    showsWithinMs: 15_000,
    goesWithinMs: 15_000,
    restored: async (t) => (await skewedBy(t.web, 0)) && !(await faketimeFile(t.web)),
    answersDuringFault: true,
    checkUp: async (t) => assert.equal((await execInContainer(t.web, ["cat", "/etc/faketime"])).stdout, "-10800\n"),
    revertByHand: async (t) => void (await execInContainer(t.web, ["rm", "-f", "/etc/faketime"])),
    extraTests: ({ t, stack, experiment }) => {
        it("restart: true restarts the target into the skew and again out of it", async () => {
            await setExperiment(stack(), experiment("10m", { offset: "+1d", restart: true }));
            const before0 = await startedAt(t.web);
            await stack().up();
            const afterUp = await startedAt(t.web);
            assert.notEqual(afterUp, before0, "up restarted the target");
            await waitFor("the restarted process to see +1d", () => skewedBy(t.web, 86_400), 15_000);
            await stack().destroy();
            assert.notEqual(await startedAt(t.web), afterUp, "destroy restarted it again");
            await waitFor("real time after the restart", () => skewedBy(t.web, 0), 15_000);
        });

        it("preview fails, naming the field and the fix, for a static busybox target", async () => {
            const busybox = `flt-clock-static-${t.run}`;
            await runContainer({ name: busybox, run: t.run, cmd: ["sleep", "900"] });
            await setExperiment(stack(), experiment("10m", { target: { name: busybox } }));
            await assert.rejects(
                stack().preview(),
                new RegExp(`spec\\.target.*has a problem: container "${busybox}" does not load libfaketime: it must be started with LD_PRELOAD=`),
            );
        });
    },
});
