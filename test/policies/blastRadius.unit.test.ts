import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blastRadius } from "../../policies/blastRadius";
import { resourceViolations, variant } from "../helpers/policy";
import { dockerFault, fisTemplate, networkChaos, selectorFault } from "./fixtures";

describe("policy blast-radius", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(blastRadius.enforcementLevel, "mandatory");
        assert.equal(blastRadius.severity, "high");
        assert.match(blastRadius.remediationSteps ?? "", /allowAll/);
    });

    it("passes compliant faults, Chaos Mesh resources and FIS templates", async () => {
        for (const r of [dockerFault(), selectorFault(), networkChaos(), fisTemplate()]) {
            assert.deepEqual(await resourceViolations(blastRadius, r), []);
        }
    });

    it("flags more resolved targets than maxCount", async () => {
        const r = variant(selectorFault(), (f) => (f.props.targets = Array.from({ length: 6 }, (_, i) => ({ name: `web-${i}`, labels: {} }))));
        assert.deepEqual(await resourceViolations(blastRadius, r), [
            'fault "web-pause" hits 6 targets, more than the allowed 5; narrow its selector or use mode one, fixed or percent',
        ]);
        assert.deepEqual(await resourceViolations(blastRadius, r, { config: { maxCount: 6 } }), []);
    });

    it("flags mode all without allowAll, and passes it with allowAll", async () => {
        const all = variant(selectorFault(), (f) => (f.props.spec.target = { labels: { app: "web" }, mode: "all" }));
        assert.deepEqual(await resourceViolations(blastRadius, all), [
            'fault "web-pause" uses mode "all" without allowAll: true; set target.allowAll: true to confirm, or use mode one, fixed or percent',
        ]);
        const allowed = variant(all, (f) => (f.props.spec.target.allowAll = true));
        assert.deepEqual(await resourceViolations(blastRadius, allowed), []);
    });

    it("flags a fixed value over maxCount", async () => {
        const r = variant(selectorFault(), (f) => (f.props.spec.target.value = 9));
        assert.deepEqual(await resourceViolations(blastRadius, r), [
            'fault "web-pause" asks for 9 targets (target.value), more than the allowed 5; lower target.value',
        ]);
    });

    it("flags a percentage over maxPercent", async () => {
        const r = variant(selectorFault(), (f) => (f.props.spec.target = { labels: { app: "web" }, mode: "percent", value: 80 }));
        assert.deepEqual(await resourceViolations(blastRadius, r), [
            'fault "web-pause" hits 80% of the matching targets (target.value), more than the allowed 50%; lower target.value',
        ]);
        assert.deepEqual(await resourceViolations(blastRadius, r, { config: { maxPercent: 80 } }), []);
    });

    it("flags Chaos Mesh mode all without the allow label, fixed over maxCount, and percent over maxPercent", async () => {
        const all = variant(networkChaos(), (c) => (c.props.spec.mode = "all"));
        assert.deepEqual(await resourceViolations(blastRadius, all), [
            'NetworkChaos "orders-partition" uses mode "all" without the label dev.faultline.allow-all: "true"; add the label to confirm, or use mode one, fixed or fixed-percent',
        ]);
        const allowed = variant(all, (c) => (c.props.metadata.labels["dev.faultline.allow-all"] = "true"));
        assert.deepEqual(await resourceViolations(blastRadius, allowed), []);
        assert.deepEqual(await resourceViolations(blastRadius, variant(networkChaos(), (c) => (c.props.spec.value = "7"))), [
            'NetworkChaos "orders-partition" hits 7 pods (spec.value), more than the allowed 5; lower spec.value',
        ]);
        const pct = variant(networkChaos(), (c) => Object.assign(c.props.spec, { mode: "random-max-percent", value: "60" }));
        assert.deepEqual(await resourceViolations(blastRadius, pct), [
            'NetworkChaos "orders-partition" hits up to 60% of the matching pods (spec.value), more than the allowed 50%; lower spec.value',
        ]);
    });

    it("flags FIS ALL without the allow tag, COUNT over maxCount and PERCENT over maxPercent", async () => {
        const all = variant(fisTemplate(), (t) => (t.props.targets[0].selectionMode = "ALL"));
        assert.deepEqual(await resourceViolations(blastRadius, all), [
            'FIS target "web" of template "stop-web" uses selectionMode ALL without the tag dev.faultline.allow-all: "true"; add the tag to confirm, or use COUNT(n) or PERCENT(n)',
        ]);
        const allowed = variant(all, (t) => (t.props.tags["dev.faultline.allow-all"] = "true"));
        assert.deepEqual(await resourceViolations(blastRadius, allowed), []);
        assert.deepEqual(await resourceViolations(blastRadius, variant(fisTemplate(), (t) => (t.props.targets[0].selectionMode = "COUNT(10)"))), [
            'FIS target "web" of template "stop-web" hits 10 resources (COUNT(10)), more than the allowed 5; lower the count',
        ]);
        assert.deepEqual(await resourceViolations(blastRadius, variant(fisTemplate(), (t) => (t.props.targets[0].selectionMode = "PERCENT(75)"))), [
            'FIS target "web" of template "stop-web" hits 75% of the matching resources (PERCENT(75)), more than the allowed 50%; lower the percentage',
        ]);
    });
});
