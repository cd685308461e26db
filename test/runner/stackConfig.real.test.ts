// Real-CLI test: the runner reads a stack's config from its file when that is plain (runner/pulumi.ts, stackConfig),
// and gets exactly what `pulumi config --json` (the Automation API's getAllConfig) answers; a stack with a secret is
// left to the CLI, which decrypts it. No Docker: only the project's Pulumi CLI and its local backend.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { openStack, plainConfig, stackConfig } from "../../runner/pulumi";
import { runId } from "../helpers/docker";
import { teardownStack } from "../helpers/faults";

describe("stackConfig: the stack's file, read as the CLI reads it", { timeout: 300_000 }, () => {
    const run = runId();
    let stack: Stack;

    before(async () => {
        useFaultlineEnv();
        // An object (the experiment), a string, a number, a boolean, and a key of the project's own namespace.
        stack = await openStack(`test-config-${run}`, { experiment: { name: "config-read", faults: [{ name: "a", kind: "docker:container-pause", target: { name: "x" } }] } });
        await stack.setAllConfig({ "aws:region": { value: "eu-west-1" }, "faultline:retries": { value: "3" }, "faultline:dryRun": { value: "true" }, plain: { value: "yes" } });
    });

    after(async () => {
        if (stack) await teardownStack(stack);
    });

    it("plain values: the same map as pulumi config --json", async () => {
        const fromFile = plainConfig(stack.name);
        assert.ok(fromFile, "read from the file");
        assert.deepEqual(fromFile, await stack.getAllConfig());
        assert.deepEqual(await stackConfig(stack), fromFile);
    });

    it("a secret: asked of the CLI, which decrypts it", async () => {
        await stack.setConfig("faultline:token", { value: "s3cret", secret: true });
        assert.equal(plainConfig(stack.name), undefined, "not read from the file");
        const config = await stackConfig(stack);
        assert.deepEqual(config["faultline:token"], { value: "s3cret", secret: true });
        assert.deepEqual(config, await stack.getAllConfig());
    });
});
