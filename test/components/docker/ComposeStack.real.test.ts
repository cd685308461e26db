// Real-engine test: an experiment stack that owns its sandbox (the demo system, through ComposeStack) and one
// fault on it, run by the real Pulumi CLI (Automation API, local file backend) against the real Docker engine.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { composeDown, projectContainers } from "../../../components/docker/environments/compose";
import { useFaultlineEnv } from "../../../runner/env";
import { openStack, removeStack } from "../../../runner/pulumi";
import { demoCopy, http } from "../../helpers/demo";
import { endpointOf, runId, SUITE_TIMEOUT_MS } from "../../helpers/docker";
import { setExperiment } from "../../helpers/pulumi";

describe("ComposeStack (real Docker, real Pulumi engine)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    let demo: Awaited<ReturnType<typeof demoCopy>>;
    let stack: Stack;

    const experiment = (composeFile: string) => ({
        name: "sandbox-test",
        environment: { compose: { composeFile, projectName: demo.spec.projectName, env: demo.spec.env, waitTimeout: "3m" } },
        faults: [{ name: "db-partition", kind: "docker:network-disconnect", container: demo.names.postgres, network: demo.names.dataNetwork, ttl: "10m" }],
    });

    before(async () => {
        useFaultlineEnv();
        demo = await demoCopy(run);
        stack = await openStack(`test-compose-${run}`, { experiment: experiment("demo/no-such-compose.yaml") });
    });

    after(async () => {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await removeStack(stack).catch(() => undefined);
        }
        await composeDown(demo.spec.projectName).catch(() => undefined);
    });

    it("names the field when the Compose file does not exist", async () => {
        await assert.rejects(
            stack.preview(),
            /invalid arguments for faultline:docker:ComposeStack "sandbox":\s+- composeFile: no file at \/\S+\/demo\/no-such-compose\.yaml; give the path of a Compose file \(absolute, or relative to the Pulumi project\)/,
        );
    });

    it("up brings the sandbox up healthy, then injects the fault that depends on it", async () => {
        await setExperiment(stack, experiment("demo/compose.yaml"));
        const r = await stack.up();
        assert.equal(r.summary.result, "succeeded");
        const sandbox = r.outputs.sandbox!.value as { projectName: string; containers: { service: string; state: string; health: string }[] };
        assert.equal(sandbox.projectName, demo.spec.projectName);
        assert.deepEqual(
            sandbox.containers.map((c) => `${c.service} ${c.state} ${c.health}`),
            ["api running healthy", "postgres running healthy", "redis running healthy", "toxiproxy running healthy", "worker running healthy"],
        );
        assert.equal(await endpointOf(demo.names.postgres, demo.names.dataNetwork), undefined, "postgres is cut off its network");
        const catalog = await http(`${demo.api}/catalog`);
        assert.equal(catalog.status, 200);
        assert.equal(catalog.body.stale, true, "the API serves its cached catalog while Postgres is unreachable");
    });

    it("refresh keeps the sandbox while its containers exist", async () => {
        const r = await stack.refresh();
        assert.equal(r.summary.result, "succeeded");
        assert.equal((await stack.exportStack()).deployment.resources.filter((x: { type: string }) => x.type === "pulumi-nodejs:dynamic/faultline:DockerComposeProject").length, 1);
    });

    it("destroy reverts the fault first, then takes the whole sandbox down", async () => {
        const r = await stack.destroy();
        assert.equal(r.summary.result, "succeeded");
        assert.doesNotMatch(r.stdout, /no longer exists/, "the fault was reverted while postgres still existed");
        assert.deepEqual(await projectContainers(demo.spec.projectName), []);
    });
});
