// Driver-level test of the FIS experiment run against an AWS SDK mock (aws-sdk-client-mock): no AWS account here.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { FisClient, GetExperimentCommand, GetExperimentTemplateCommand, ListExperimentsCommand, StartExperimentCommand, StopExperimentCommand } from "@aws-sdk/client-fis";
import { mockClient } from "aws-sdk-client-mock";
import { driver, longestAction, type FisExperimentRecord } from "../../../components/aws/drivers/fisExperiment";
import { prepareThenApply, type DriverContext } from "../../../components/core/driver";

const fis = mockClient(FisClient);
const owner = { project: "faultline", stack: "test-fis", experiment: "fis-test", fault: "stop-web", kind: "aws:fis-experiment-run" };
const warnings: string[] = [];
const ctx: DriverContext = { owner, warn: (m) => warnings.push(m), info: () => undefined };

const spec = { templateId: "EXTabc123", region: "eu-west-1", ttlMs: 600_000, waitForRunning: true, startTimeoutMs: 30_000, stopTimeoutMs: 2_000, pollMs: 10 };
const record: FisExperimentRecord = { experimentId: "EXP1", templateId: "EXTabc123", region: "eu-west-1", startedAt: "2026-01-01T00:00:00.000Z", stopTimeoutMs: 2_000, pollMs: 10 };
const template = (duration = "PT5M") => ({ experimentTemplate: { id: "EXTabc123", actions: { "stop-web": { actionId: "aws:ec2:stop-instances", parameters: { startInstancesAfterDuration: duration } } } } });
const state = (status: string, reason?: string) => ({ experiment: { id: "EXP1", state: { status: status as never, ...(reason ? { reason } : {}) } } });
const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
const named = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });

describe("FIS experiment run driver (AWS SDK mock)", () => {
    beforeEach(() => {
        fis.reset();
        warnings.length = 0;
    });

    it("start: checks the template's durations against the ttl, starts with owner tags, waits until running", async () => {
        fis.on(GetExperimentTemplateCommand).resolves(template());
        fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP1" } });
        fis.on(GetExperimentCommand).resolvesOnce(state("initiating")).resolvesOnce(state("initiating")).resolves(state("running"));
        const rec = await prepareThenApply(driver, spec, ctx);
        assert.equal(rec.experimentId, "EXP1");
        assert.equal(rec.region, "eu-west-1");
        assert.equal(rec.stopTimeoutMs, 2_000);
        const start = fis.commandCalls(StartExperimentCommand);
        assert.equal(start.length, 1);
        const input = start[0]!.args[0].input;
        assert.equal(input.experimentTemplateId, "EXTabc123");
        assert.match(input.clientToken ?? "", /^[0-9a-f-]{36}$/);
        assert.equal(rec.runTag, input.clientToken, "the token chosen in prepare is the one started with");
        assert.deepEqual(input.tags, {
            "dev.faultline.managed": "true",
            "dev.faultline.project": "faultline",
            "dev.faultline.stack": "test-fis",
            "dev.faultline.experiment": "fis-test",
            "dev.faultline.fault": "stop-web",
            "dev.faultline.kind": "aws:fis-experiment-run",
            "dev.faultline.run": rec.runTag,
        });
        assert.equal(fis.commandCalls(GetExperimentCommand).length, 3, "polled until running");
    });

    it("prepare changes nothing; a revert before apply finds no run and is a no-op, after a lost answer it stops the run by its tag", async () => {
        fis.on(GetExperimentTemplateCommand).resolves(template());
        const rec = await driver.prepare(spec, ctx);
        assert.equal(fis.commandCalls(StartExperimentCommand).length, 0);
        assert.equal(rec.experimentId, undefined);
        fis.on(ListExperimentsCommand).resolves({ experiments: [{ id: "OTHER", tags: { "dev.faultline.run": "someone-else" } }] });
        assert.equal(await driver.revert(rec, ctx), "already-reverted");
        assert.equal(fis.commandCalls(StopExperimentCommand).length, 0);

        // apply was killed after FIS started the run but before the answer came back: the record has no id.
        fis.on(ListExperimentsCommand)
            .resolvesOnce({ experiments: [{ id: "OTHER", tags: {} }], nextToken: "p2" })
            .resolves({ experiments: [{ id: "EXP1", tags: { "dev.faultline.run": rec.runTag! } }] });
        fis.on(GetExperimentCommand).resolvesOnce(state("running")).resolves(state("stopped"));
        fis.on(StopExperimentCommand).resolves({ experiment: { id: "EXP1", state: { status: "stopping" } } });
        assert.equal(await driver.revert(rec, ctx), "reverted");
        assert.deepEqual(fis.commandCalls(StopExperimentCommand).map((c) => c.args[0].input), [{ id: "EXP1" }]);
    });

    it("refuses a template whose actions outlast the ttl, without starting anything", async () => {
        fis.on(GetExperimentTemplateCommand).resolves(template("PT1H"));
        await assert.rejects(prepareThenApply(driver, spec, ctx), {
            name: "FaultError",
            message: "spec.templateId: template EXTabc123 has an action that lasts 1h, longer than the ttl (10m); shorten the action or raise ttl",
        });
        assert.equal(fis.commandCalls(StartExperimentCommand).length, 0);
    });

    it("a template that does not exist is named", async () => {
        fis.on(GetExperimentTemplateCommand).rejects(named("ResourceNotFoundException", "Experiment template not found"));
        await assert.rejects(prepareThenApply(driver, spec, ctx), { message: 'spec.templateId: no FIS experiment template "EXTabc123"; list them with `aws fis list-experiment-templates`' });
    });

    it("an experiment that fails to start reports FIS's reason", async () => {
        fis.on(GetExperimentTemplateCommand).resolves(template());
        fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP1" } });
        fis.on(GetExperimentCommand).resolvesOnce(state("initiating")).resolves(state("failed", "Target resolution returned empty set"));
        await assert.rejects(prepareThenApply(driver, spec, ctx), { message: "FIS experiment EXP1 is failed: Target resolution returned empty set; it never became running" });
        assert.equal(fis.commandCalls(StopExperimentCommand).length, 0, "nothing to stop: it already ended");
    });

    it("an experiment that does not reach running in time is stopped before the error is reported", async () => {
        fis.on(GetExperimentTemplateCommand).resolves(template());
        fis.on(StartExperimentCommand).resolves({ experiment: { id: "EXP1" } });
        fis.on(GetExperimentCommand).resolves(state("initiating"));
        fis.on(StopExperimentCommand).callsFake(() => {
            fis.on(GetExperimentCommand).resolves(state("stopped"));
            return { experiment: { id: "EXP1", state: { status: "stopping" } } };
        });
        await assert.rejects(prepareThenApply(driver, { ...spec, startTimeoutMs: 100 }, ctx), { message: "FIS experiment EXP1 is still initiating after 100ms; it did not become running in time" });
        assert.equal(fis.commandCalls(StopExperimentCommand).length, 1);
    });

    it("stop on delete: stops a running experiment and waits for a terminal state", async () => {
        fis.on(GetExperimentCommand).resolvesOnce(state("running")).resolvesOnce(state("stopping")).resolvesOnce(state("stopping")).resolves(state("stopped", "Experiment stopped by user"));
        fis.on(StopExperimentCommand).resolves({ experiment: { id: "EXP1", state: { status: "stopping" } } });
        assert.equal(await driver.revert(record, ctx), "reverted");
        assert.deepEqual(fis.commandCalls(StopExperimentCommand).map((c) => c.args[0].input), [{ id: "EXP1" }]);
        assert.equal(fis.commandCalls(GetExperimentCommand).length, 4);
    });

    it("a second stop of a stopped (or completed) experiment is a no-op", async () => {
        fis.on(GetExperimentCommand).resolves(state("stopped"));
        assert.equal(await driver.revert(record, ctx), "already-reverted");
        fis.on(GetExperimentCommand).resolves(state("completed"));
        assert.equal(await driver.revert(record, ctx), "already-reverted");
        assert.equal(fis.commandCalls(StopExperimentCommand).length, 0);
    });

    it("throttling is retried with backoff, on reads and on the stop itself", async () => {
        fis.on(GetExperimentCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolvesOnce(state("running")).resolves(state("stopped"));
        fis.on(StopExperimentCommand).rejectsOnce(throttled()).resolves({ experiment: { id: "EXP1" } });
        const t0 = Date.now();
        // The stop's whole budget is also the retries' budget: 30 s, not the shared record's 2 s, which a loaded unit
        // process can spend before the first retry (the SDK's first load); the timeout has a test of its own below.
        assert.equal(await driver.revert({ ...record, stopTimeoutMs: 30_000 }, ctx), "reverted");
        assert.equal(fis.commandCalls(StopExperimentCommand).length, 2);
        assert.equal(fis.commandCalls(GetExperimentCommand).length, 4);
        assert.ok(Date.now() - t0 >= 10 + 20 + 10, "backed off 10 ms then 20 ms on reads, 10 ms on the stop");
    });

    it("throttling that never ends fails within the stop timeout, with a hint", async () => {
        fis.on(GetExperimentCommand).rejects(throttled());
        await assert.rejects(driver.revert({ ...record, stopTimeoutMs: 200 }, ctx), (err: Error) => {
            assert.match(err.message, /^could not read FIS experiment EXP1 to stop it: Error: GetExperiment EXP1: still throttled by AWS after \d+ attempts/);
            assert.match(err.message, /stop it by hand: aws fis stop-experiment --id EXP1$/);
            return true;
        });
    });

    it("an error in the middle of a stop fails destroy; the next destroy finishes the stop without stopping twice", async () => {
        fis.on(GetExperimentCommand).resolvesOnce(state("running")).rejectsOnce(named("InternalServerException", "connection reset"));
        fis.on(StopExperimentCommand).resolves({ experiment: { id: "EXP1" } });
        await assert.rejects(driver.revert(record, ctx), {
            message: "asked FIS to stop experiment EXP1, but could not see it end: connection reset; run destroy again, or check: aws fis get-experiment --id EXP1",
        });
        assert.equal(fis.commandCalls(StopExperimentCommand).length, 1);
        // Second destroy: FIS is still stopping it; the driver only waits.
        fis.reset();
        fis.on(GetExperimentCommand).resolvesOnce(state("stopping")).resolves(state("stopped"));
        fis.on(StopExperimentCommand).resolves({ experiment: { id: "EXP1" } });
        assert.equal(await driver.revert(record, ctx), "reverted");
        assert.equal(fis.commandCalls(StopExperimentCommand).length, 0, "no second StopExperiment");
    });

    it("a stop refused because the experiment just completed is a rollback already done", async () => {
        fis.on(GetExperimentCommand).resolvesOnce(state("running")).resolves(state("completed"));
        fis.on(StopExperimentCommand).rejects(named("ConflictException", "Experiment is not in a stoppable state"));
        assert.equal(await driver.revert(record, ctx), "already-reverted");
    });

    it("a stop refused for another reason fails with the experiment id and a hint", async () => {
        fis.on(GetExperimentCommand).resolves(state("running"));
        fis.on(StopExperimentCommand).rejects(named("AccessDeniedException", "not authorized to perform fis:StopExperiment"));
        await assert.rejects(driver.revert(record, ctx), {
            message: "could not stop FIS experiment EXP1: AccessDeniedException: not authorized to perform fis:StopExperiment; stop it by hand: aws fis stop-experiment --id EXP1",
        });
    });

    it("an experiment that no longer exists is target-gone, with a warning", async () => {
        fis.on(GetExperimentCommand).rejects(named("ResourceNotFoundException", "Experiment not found"));
        assert.equal(await driver.revert(record, ctx), "target-gone");
        assert.deepEqual(warnings, ["FIS experiment EXP1 no longer exists; nothing to stop"]);
    });

    it("a stop that never ends fails after the stop timeout", async () => {
        fis.on(GetExperimentCommand).resolvesOnce(state("running")).resolves(state("stopping"));
        fis.on(StopExperimentCommand).resolves({});
        await assert.rejects(driver.revert({ ...record, stopTimeoutMs: 150 }, ctx), {
            message: "asked FIS to stop experiment EXP1, but could not see it end: FIS experiment EXP1 is still stopping after 150ms; it did not become stopped in time; run destroy again, or check: aws fis get-experiment --id EXP1",
        });
    });

    it("observe: active while pending, initiating, running or stopping", async () => {
        for (const [status, active] of [["running", true], ["stopping", true], ["completed", false], ["failed", false]] as const) {
            fis.on(GetExperimentCommand).resolves(state(status));
            assert.deepEqual(await driver.observe(record), { active, detail: `FIS experiment EXP1 is ${status}` });
        }
    });

    it("reads every duration parameter of a template", () => {
        assert.equal(longestAction({ a: { parameters: { duration: "PT2M" } }, b: { parameters: { startInstancesAfterDuration: "PT1H30M" } }, c: {} }), 5_400_000);
        assert.equal(longestAction(undefined), 0);
    });
});
