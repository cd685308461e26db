// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { dockerClient, execInContainer } from "../../../components/core/docker";
import { driver, ProcessKillSpec } from "../../../components/docker/faults/processKill";
import { cleanupRun, runContainer, runId } from "../../helpers/docker";
import { faultCycleSuite } from "../../helpers/faultCycle";
import { faultlineContainersOf } from "../../helpers/faults";
import { waitFor } from "../../helpers/wait";
import { prepareThenApply } from "../../../components/core/driver";

const state = async (name: string) => (await dockerClient().getContainer(name).inspect()).State;

/**
 * The container's processes by name, once only httpd is left: a killed process shows in `docker top` until its
 * parent (busybox httpd, PID 1) has reaped it, which a loaded machine may take a moment to do.
 */
async function onlyHttpdLeft(name: string): Promise<string[]> {
    return waitFor(
        "only httpd left",
        async () => {
            const names = (await dockerClient().getContainer(name).top({ ps_args: "-o pid,comm" })).Processes.map((p: string[]) => p[1]!);
            return names.length === 1 && names[0] === "httpd" ? names : false;
        },
        10_000,
    );
}

// Killing the main process (httpd is PID 1 in the target) takes the container down; revert starts it again.
faultCycleSuite({
    title: "ProcessKill of the main process",
    tag: "pkill",
    fault: (t) => ({ kind: "docker:process-kill", target: { name: t.web }, process: "^httpd$" }),
    snapshot: async (t) => ({ running: (await state(t.web)).Running }),
    inEffect: async (t) => !(await state(t.web)).Running,
    answersDuringFault: false,
    revertByHand: async (t) => dockerClient().getContainer(t.web).start(),
});

describe("ProcessKill of a side process (real Docker, driver only)", { timeout: 120_000 }, () => {
    const run = runId();
    const name = `flt-pkill-side-${run}`;
    const ctx = {
        owner: { project: "faultline", stack: `test-pkill-side-${run}`, experiment: "e", fault: "side", kind: driver.kind },
        warn: (m: string) => assert.fail(`unexpected warning: ${m}`),
        info: () => undefined,
    };
    after(() => cleanupRun(run));

    it("kills exactly the matching processes, leaves the container up, and has nothing to revert", async () => {
        await runContainer({ name, run, cmd: ["sh", "-c", "sleep 901 & sleep 902 & exec httpd -f -p 8080"] });
        const record = await prepareThenApply(driver, ProcessKillSpec.parse({ target: { name }, process: "^sleep$", signal: "SIGTERM" }), ctx);
        assert.deepEqual(record.containers[0]!.processes.map((p) => p.name), ["sleep", "sleep"]);
        assert.deepEqual(await onlyHttpdLeft(name), ["httpd"]);
        assert.equal((await state(name)).Running, true);
        assert.deepEqual(await driver.observe(record), { active: false, detail: `no container is down from this process kill (${name})` });
        assert.equal(await driver.revert(record, ctx), "already-reverted");
        assert.deepEqual(await faultlineContainersOf(ctx.owner.stack), [], "the helper containers are gone");
    });

    it("in a target without a shell, finds and kills them from a helper in its PID namespace", async () => {
        const bare = `${name}-bare`;
        await runContainer({ name: bare, run, cmd: ["sh", "-c", "sleep 903 & sleep 904 & exec httpd -f -p 8080"] });
        // No /bin/sh any more: `docker exec sh` fails, so the driver must fall back to its helper.
        // Waited for to its end: a fixed pause raced the `rm` on a loaded CI machine.
        assert.equal((await execInContainer(bare, ["rm", "/bin/sh"])).exitCode, 0);
        const record = await prepareThenApply(driver, ProcessKillSpec.parse({ target: { name: bare }, process: "^sleep$", signal: "SIGTERM" }), ctx);
        assert.deepEqual(record.containers[0]!.processes.map((p) => p.name), ["sleep", "sleep"]);
        assert.deepEqual(await onlyHttpdLeft(bare), ["httpd"]);
        assert.deepEqual(await faultlineContainersOf(ctx.owner.stack), [], "the helper is gone");
    });

    it("names the field when no process matches, before anything is killed", async () => {
        await assert.rejects(
            prepareThenApply(driver, ProcessKillSpec.parse({ target: { name }, process: "^nginx$" }), ctx),
            new RegExp(`spec\\.process: no process matching "\\^nginx\\$" in container "${name}"; list its processes with \`docker top ${name}\``),
        );
    });
});
