// Real-engine test: the real Pulumi CLI runs the policy pack (policies/) on previews of real experiments, whose
// targets are real containers on the local Docker engine. Only previews: nothing is injected.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { useFaultlineEnv } from "../../runner/env";
import { openStack, previewWithPolicies, removeStack } from "../../runner/pulumi";
import { cleanupRun, createNetwork, endpointOf, runContainer, runId, SUITE_TIMEOUT_MS } from "../helpers/docker";
import { setExperiment } from "../helpers/pulumi";

describe("policy pack on `pulumi preview --policy-pack policies` (real engine, real Docker)", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const net = `flt-pol-${run}`;
    const optedIn = `flt-pol-in-${run}`;
    const unlabelled = `flt-pol-out-${run}`;
    let stack: Stack;

    /**
     * An experiment that declares everything experiment-declared asks for, with one fault. `optOut` sets
     * allowUnlabelledTargets: the provider then only warns about an unlabelled target, and the pack, which does not
     * honour the opt-out, is what reports it.
     */
    const experiment = (container: string, ttl: string, declared = true, optOut = false) => ({
        name: "pol-test",
        ...(optOut ? { allowUnlabelledTargets: true } : {}),
        ...(declared
            ? {
                  hypothesis: { text: "the client sees the server gone", probes: [{ kind: "http", name: "web-up", url: "http://127.0.0.1:9/" }] },
                  stopConditions: [{ metric: "error-rate", above: 0.5 }],
              }
            : {}),
        faults: [{ name: "cut", kind: "docker:network-disconnect", container, network: net, ttl }],
    });

    before(async () => {
        useFaultlineEnv();
        await createNetwork(net, run);
        await runContainer({ name: optedIn, run, network: net, cmd: ["sleep", "600"], labels: { "chaos.opt-in": "true" } });
        await runContainer({ name: unlabelled, run, network: net, cmd: ["sleep", "600"], optIn: false });
        stack = await openStack(`test-pol-${run}`);
    });

    after(async () => {
        if (stack) await removeStack(stack).catch(() => undefined);
        await cleanupRun(run);
    });

    it("blocks a fault with a 45m ttl on a container that did not opt in, with readable messages", async () => {
        await setExperiment(stack, experiment(unlabelled, "45m", true, true));
        const r = await previewWithPolicies(stack);
        assert.equal(r.passed, false);
        const urn = `urn:pulumi:test-pol-${run}::faultline::faultline:docker:NetworkDisconnect$pulumi-nodejs:dynamic/faultline:DockerNetworkDisconnect::cut-fault`;
        assert.deepEqual(
            r.violations.map(({ resourceName: _n, resourceType: _t, pack: _p, fix: _f, ...v }) => v).sort((a, b) => a.policy.localeCompare(b.policy)),
            [
                {
                    policy: "fault-ttl",
                    level: "mandatory",
                    resource: urn,
                    description: "Every fault has a time-to-live of at most the configured maximum (30m by default).",
                    message: 'fault "cut" (docker:network-disconnect) has a time-to-live of 45m, more than the allowed 30m; set ttl to 30m or less',
                },
                {
                    policy: "opt-in-targets",
                    level: "mandatory",
                    resource: urn,
                    description: "Faults only target resources labelled or tagged chaos.opt-in=true, never system namespaces.",
                    message: `fault "cut" targets "${unlabelled}", which is not opted in; label it chaos.opt-in=true to allow faults on it`,
                },
            ],
        );
        // The runner's words: the resource's name and type, the pack, and the policy's fix.
        for (const v of r.violations) {
            assert.deepEqual([v.resourceName, v.resourceType, v.pack], ["cut-fault", "DockerNetworkDisconnect", "faultline-guardrails"]);
            assert.ok(v.fix.length > 0, `${v.policy} has a fix`);
        }
        // What a reviewer reads in the CLI output.
        assert.match(r.stdout, /\[mandatory\] \[severity: high\]\s+fault-ttl/);
        assert.match(r.stdout, /\[mandatory\] \[severity: critical\]\s+opt-in-targets/);
        assert.ok(r.stdout.includes(`fault "cut" targets "${unlabelled}", which is not opted in; label it chaos.opt-in=true`));
        assert.notEqual(await endpointOf(unlabelled, net), undefined, "a preview injects nothing");
    });

    it("blocks, at preview, an experiment without hypothesis, probes and stop conditions (stack policy)", async () => {
        await setExperiment(stack, experiment(optedIn, "10m", false));
        const r = await previewWithPolicies(stack);
        assert.equal(r.passed, false);
        assert.deepEqual(
            r.violations.map((v) => `${v.policy} ${v.level}: ${v.message}`),
            [
                'experiment-declared mandatory: experiment "pol-test" declares no hypothesis; state what should stay true while the faults are in (hypothesis.text)',
                'experiment-declared mandatory: experiment "pol-test" declares no steady-state probe; add at least one probe that checks the hypothesis (hypothesis.probes)',
                'experiment-declared mandatory: experiment "pol-test" declares no stop condition; add at least one condition that aborts it early (stopConditions)',
            ],
        );
    });

    it("passes a compliant experiment: 10m ttl on an opted-in container", async () => {
        await setExperiment(stack, experiment(optedIn, "10m"));
        const r = await previewWithPolicies(stack);
        assert.deepEqual(r.violations, []);
        assert.equal(r.passed, true);
        assert.equal(r.preview?.changeSummary.create, 4, "stack, component, fault and experiment metadata");
        assert.notEqual(await endpointOf(optedIn, net), undefined, "a preview injects nothing");
    });

    it("reads the pack config given with --policy-pack-config: maxTtl 5m blocks the same 10m fault", async () => {
        const dir = await mkdtemp(path.join(tmpdir(), "flt-pol-"));
        const config = path.join(dir, "guardrails.json");
        await writeFile(config, JSON.stringify({ "fault-ttl": { maxTtl: "5m" }, "game-day-window": { gameDayWindows: [] } }));
        try {
            const r = await previewWithPolicies(stack, { policyPackConfigs: [config] });
            assert.equal(r.passed, false);
            assert.deepEqual(
                r.violations.map((v) => `${v.policy}: ${v.message}`),
                ['fault-ttl: fault "cut" (docker:network-disconnect) has a time-to-live of 10m, more than the allowed 5m; set ttl to 5m or less'],
            );
        } finally {
            await rm(dir, { recursive: true, force: true });
        }
    });
});
