// Real-engine test: the real Pulumi CLI and a real Docker engine on a kernel WITHOUT netem (as on this project's
// machines): preview must fail with a clear message, and nothing may change on the target.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { dockerClient } from "../../../components/core/docker";
import { driver, NETEM_MISSING } from "../../../components/docker/faults/netem";
import { Labels } from "../../../components/core/labels";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { cleanupRun, createNetwork, runContainer, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { rootQdisc } from "../../helpers/network";
import { prepareThenApply } from "../../../components/core/driver";

describe("Netem on a kernel without sch_netem (real Docker, real Pulumi engine)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const net = `flt-netem-${run}`;
    const server = `flt-netem-server-${run}`;
    let stack: Stack | undefined;
    let defaultQdisc = "";

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        await runContainer({ name: server, run, network: net, cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
        defaultQdisc = await rootQdisc(server, run);
    });

    after(async () => {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await removeStack(stack).catch(() => undefined);
        }
        await cleanupRun(run);
    });

    it("preview fails with the exact reason and the alternative, and changes nothing", async () => {
        stack = await openStack(`test-netem-${run}`, {
            experiment: {
                name: "netem-test",
                faults: [{ name: "lossy", kind: "docker:netem", target: { name: server }, delay: "100ms", loss: 5, ttl: "10m" }],
            },
        });
        const err: unknown = await stack.preview({ diff: true }).then(
            () => assert.fail("preview must fail on a kernel without netem"),
            (e: unknown) => e,
        );
        // The engine words a check failure as "property <path> value {…} has a problem: <reason>".
        const reason = NETEM_MISSING.replace(/[()]/g, "\\$&");
        assert.match(String(err), new RegExp(`DockerNetem resource 'lossy-fault': property spec value \\{.*\\} has a problem: ${reason}\n`));
        assert.equal(
            NETEM_MISSING,
            "this kernel has no netem (sch_netem), so packet loss and delay cannot be injected here; use ToxiproxyToxic latency/timeout instead",
        );
        assert.equal(await rootQdisc(server, run), defaultQdisc, "the target is untouched");
        // This run's stack only: other runs on the same engine may have netem helpers of their own.
        const filters = JSON.stringify({ label: [`${Labels.kind}=${driver.kind}`, `${Labels.stack}=${stack.name}`] });
        assert.deepEqual(await dockerClient().listContainers({ all: true, filters }), [], "no helper left behind");
    });

    it("inject called directly (no preview) fails with the same message", async () => {
        const owner = { project: "faultline", stack: `test-netem-drv-${run}`, experiment: "n", fault: "lossy", kind: driver.kind };
        await assert.rejects(prepareThenApply(driver, driver.schema.parse({ target: { name: server }, delay: "10ms" }), { owner, warn: () => undefined, info: () => undefined }), {
            name: "FaultError",
            message: `spec: ${NETEM_MISSING}`,
        });
        assert.equal(await rootQdisc(server, run), defaultQdisc);
    });
});
