import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { experimentDeclared, maxConcurrentFaults, noSharedTargets } from "../../policies/stack";
import { stackViolations, variant } from "../helpers/policy";
import { dockerFault, experiment, fisTemplate, networkChaos } from "./fixtures";

describe("policy experiment-declared", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(experimentDeclared.enforcementLevel, "mandatory");
        assert.equal(experimentDeclared.severity, "high");
        assert.match(experimentDeclared.remediationSteps ?? "", /stopConditions/);
    });

    it("passes faults of every kind whose experiment declares everything", async () => {
        assert.deepEqual(await stackViolations(experimentDeclared, [experiment(), dockerFault(), networkChaos(), fisTemplate()]), []);
    });

    it("flags a fault whose experiment is not declared", async () => {
        assert.deepEqual(await stackViolations(experimentDeclared, [dockerFault()]), [
            'fault "web-partition" belongs to experiment "checkout", which is not declared in this stack; declare it',
        ]);
    });

    it("flags a Kubernetes fault that names no experiment", async () => {
        const r = variant(networkChaos(), (c) => (c.props.metadata.labels = {}));
        assert.deepEqual(await stackViolations(experimentDeclared, [experiment(), r]), [
            'fault "orders-partition" belongs to no experiment; label it dev.faultline.experiment=<experiment>',
        ]);
    });

    it("flags an experiment without a hypothesis", async () => {
        const e = variant(experiment(), (x) => (x.props.hypothesis = ""));
        assert.deepEqual(await stackViolations(experimentDeclared, [e, dockerFault()]), [
            'experiment "checkout" declares no hypothesis; state what should stay true while the faults are in (hypothesis.text)',
        ]);
    });

    it("flags an experiment without steady-state probes", async () => {
        const e = variant(experiment(), (x) => (x.props.steadyStateProbes = 0));
        assert.deepEqual(await stackViolations(experimentDeclared, [e, dockerFault()]), [
            'experiment "checkout" declares no steady-state probe; add at least one probe that checks the hypothesis (hypothesis.probes)',
        ]);
    });

    it("flags an experiment without stop conditions", async () => {
        const e = variant(experiment(), (x) => delete x.props.stopConditions);
        assert.deepEqual(await stackViolations(experimentDeclared, [e, dockerFault()]), [
            'experiment "checkout" declares no stop condition; add at least one condition that aborts it early (stopConditions)',
        ]);
    });
});

describe("policy no-shared-targets", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(noSharedTargets.enforcementLevel, "mandatory");
        assert.equal(noSharedTargets.severity, "medium");
        assert.match(noSharedTargets.remediationSteps ?? "", /allowSharedTargets/);
    });

    it("passes faults on different targets", async () => {
        assert.deepEqual(await stackViolations(noSharedTargets, [experiment(), dockerFault("a", "web"), dockerFault("b", "db")]), []);
    });

    it("flags two faults on the same target", async () => {
        assert.deepEqual(await stackViolations(noSharedTargets, [experiment(), dockerFault("a", "web"), dockerFault("b", "web")]), [
            'faults "a" and "b" both hit "web"; give each fault its own target or set allowSharedTargets: true on the experiment',
        ]);
    });

    it("uses the spec's container when no targets were resolved", async () => {
        const b = variant(dockerFault("b", "web"), (f) => delete f.props.targets);
        assert.deepEqual(await stackViolations(noSharedTargets, [experiment(), dockerFault("a", "web"), b]), [
            'faults "a" and "b" both hit "web"; give each fault its own target or set allowSharedTargets: true on the experiment',
        ]);
    });

    it("passes a shared target when the experiment allows it", async () => {
        const e = variant(experiment(), (x) => (x.props.allowSharedTargets = true));
        assert.deepEqual(await stackViolations(noSharedTargets, [e, dockerFault("a", "web"), dockerFault("b", "web")]), []);
    });
});

describe("policy max-concurrent-faults", () => {
    const faults = (n: number) => Array.from({ length: n }, (_, i) => dockerFault(`f${i}`, `c${i}`));

    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(maxConcurrentFaults.enforcementLevel, "mandatory");
        assert.equal(maxConcurrentFaults.severity, "medium");
        assert.match(maxConcurrentFaults.remediationSteps ?? "", /maxConcurrentFaults/);
    });

    it("passes up to the default 5 faults", async () => {
        assert.deepEqual(await stackViolations(maxConcurrentFaults, [experiment(), ...faults(5)]), []);
    });

    it("flags more faults than allowed, counting every kind", async () => {
        assert.deepEqual(await stackViolations(maxConcurrentFaults, [experiment(), ...faults(2), networkChaos()], { config: { maxConcurrentFaults: 2 } }), [
            "this stack declares 3 faults (f0, f1, orders-partition), more than the allowed 2 at once; split the experiment or raise maxConcurrentFaults",
        ]);
    });
});
