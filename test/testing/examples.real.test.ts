// Real-engine test of the three testing examples (examples/testing-node-test, -vitest, -jest), each run by its own
// test runner against a busybox httpd "broker" this test starts: the example injects a container pause inside its
// test (and sees its client time out), and the broker is back after it. Then each runner is SIGKILLed (its whole
// process tree) while the fault is in: the broker stays frozen until the reaper reverts it at the TTL.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { dockerClient } from "../../components/core/docker";
import { armedFaults } from "../../components/docker/reaper";
import { PROJECT_ROOT } from "../../runner/env";
import { cleanupRun, runContainer, runId, SUITE_TIMEOUT_MS } from "../helpers/docker";
import { runThenKillTree } from "../helpers/killTree";
import { waitFor } from "../helpers/wait";

/** Each example, the command that runs it with its own runner, and that runner's summary of one passed test. */
const RUNNERS: { name: string; argv: string[]; passed: RegExp }[] = [
    { name: "node:test", argv: [process.execPath, "--import", "tsx", "--test", "examples/testing-node-test/broker.test.ts"], passed: /^# pass 1\n# fail 0$/m },
    { name: "vitest", argv: [process.execPath, "node_modules/vitest/vitest.mjs", "run", "--root", "examples/testing-vitest"], passed: /Tests\s+1 passed \(1\)/ },
    { name: "jest", argv: [process.execPath, "node_modules/jest/bin/jest.js", "--config", "examples/testing-jest/jest.config.js"], passed: /Tests:\s+1 passed, 1 total/ },
];

/** The TTL of the SIGKILL case: long enough for the runner to start and inject, short enough to wait for. */
const KILL_TTL_MS = 15_000;

/**
 * This process's node:test context, which must not reach the examples' runners: a node:test child that inherits it
 * believes it is nested and runs nothing.
 */
const NOT_NESTED = { NODE_TEST_CONTEXT: undefined };

function runExample(argv: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
        execFile(argv[0]!, argv.slice(1), { cwd: PROJECT_ROOT, env: { ...process.env, ...NOT_NESTED, ...env }, timeout: 300_000 }, (err, stdout, stderr) => {
            // Colours off: vitest colours its summary even into a pipe.
            resolve({ code: err ? ((err as { code?: number }).code ?? 2) : 0, output: `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, "") });
        });
    });
}

describe("the testing examples under their own runners (real Docker)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const broker = `flt-tk-broker-${run}`;
    let env: Record<string, string> = {};
    const paused = async () => (await dockerClient().getContainer(broker).inspect()).State.Paused;
    /** The faults armed in a reaper against this test's broker. */
    const armed = async () => (await armedFaults({ stack: "testing" })).filter((a) => JSON.stringify(a.record).includes(broker));

    before(async () => {
        const httpd = ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"];
        await runContainer({ name: broker, run, publish: 8080, cmd: httpd });
        const port = (await dockerClient().getContainer(broker).inspect()).NetworkSettings.Ports["8080/tcp"]![0]!.HostPort;
        env = { BROKER_CONTAINER: broker, BROKER_URL: `http://127.0.0.1:${port}/` };
        await waitFor("the broker answers", async () => (await fetch(env.BROKER_URL!, { signal: AbortSignal.timeout(2000) })).ok);
    });

    after(async () => {
        await cleanupRun(run);
    });

    for (const r of RUNNERS) {
        it(`${r.name}: the fault is in inside the test and reverted after it`, async () => {
            const { code, output } = await runExample(r.argv, env);
            assert.equal(code, 0, output);
            assert.match(output, r.passed);
            assert.equal(await paused(), false);
            assert.deepEqual(await armed(), []);
        });

        it(`${r.name}: after a SIGKILL of the runner mid-test, the reaper reverts the fault at its TTL`, async () => {
            const kill = await runThenKillTree(r.argv, { whenSeen: paused }, { what: `the ${r.name} example`, env: { ...env, ...NOT_NESTED, FAULT_TTL: `${KILL_TTL_MS}ms` } });
            assert.equal(kill.finishedFirst, false, kill.output);
            // Nothing of the test process is left to revert it: the broker stays frozen, guarded by its reaper.
            assert.equal(await paused(), true, kill.output);
            const [fault, ...more] = await armed();
            assert.ok(fault, "no reaper guards the fault");
            assert.equal(more.length, 0);
            const unpausedAt = await waitFor("the reaper unpauses the broker", async () => !(await paused()) && Date.now(), KILL_TTL_MS + 60_000, 100);
            assert.ok(unpausedAt >= fault.expiresAt, `unpaused ${fault.expiresAt - unpausedAt} ms before the TTL`);
            assert.equal((await fetch(env.BROKER_URL!, { signal: AbortSignal.timeout(2000) })).status, 200);
            await waitFor("the reaper forgets the fault", async () => (await armed()).length === 0, 30_000);
        });
    }
});
