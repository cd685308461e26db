import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { faultTtl } from "../../policies/ttl";
import { resourceViolations, variant } from "../helpers/policy";
import { dockerFault, fisTemplate, networkChaos } from "./fixtures";

describe("policy fault-ttl", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(faultTtl.enforcementLevel, "mandatory");
        assert.equal(faultTtl.severity, "high");
        assert.match(faultTtl.remediationSteps ?? "", /maxTtl/);
    });

    it("passes compliant faults, Chaos Mesh resources and FIS templates", async () => {
        for (const r of [dockerFault(), networkChaos(), fisTemplate()]) assert.deepEqual(await resourceViolations(faultTtl, r), []);
    });

    it("passes a fault of exactly the maximum", async () => {
        assert.deepEqual(await resourceViolations(faultTtl, variant(dockerFault(), (f) => (f.props.ttlMs = 30 * 60_000))), []);
    });

    it("flags a fault longer than the default 30m", async () => {
        const r = variant(dockerFault(), (f) => (f.props.ttlMs = 45 * 60_000));
        assert.deepEqual(await resourceViolations(faultTtl, r), [
            'fault "web-partition" (docker:network-disconnect) has a time-to-live of 45m, more than the allowed 30m; set ttl to 30m or less',
        ]);
    });

    it("flags a fault without a time-to-live", async () => {
        const r = variant(dockerFault(), (f) => delete f.props.ttlMs);
        assert.deepEqual(await resourceViolations(faultTtl, r), [
            'fault "web-partition" (docker:network-disconnect) has no time-to-live; set ttl to at most 30m so that a reaper reverts it on its own',
        ]);
    });

    it("uses the configured maximum", async () => {
        const r = variant(dockerFault(), (f) => (f.props.ttlMs = 45 * 60_000));
        assert.deepEqual(await resourceViolations(faultTtl, r, { config: { maxTtl: "1h" } }), []);
        assert.deepEqual(await resourceViolations(faultTtl, dockerFault(), { config: { maxTtl: "5m" } }), [
            'fault "web-partition" (docker:network-disconnect) has a time-to-live of 10m, more than the allowed 5m; set ttl to 5m or less',
        ]);
    });

    it("rejects a maxTtl that is not a duration", async () => {
        await assert.rejects(resourceViolations(faultTtl, dockerFault(), { config: { maxTtl: "half an hour" } }), {
            message: 'policy fault-ttl: config maxTtl "half an hour" is not a duration such as "30m"',
        });
    });

    it("flags a Chaos Mesh duration over the maximum", async () => {
        const r = variant(networkChaos(), (c) => (c.props.spec.duration = "1h30m"));
        assert.deepEqual(await resourceViolations(faultTtl, r), [
            'NetworkChaos "orders-partition" runs for 1h30m (spec.duration), more than the allowed 30m; set spec.duration to 30m or less',
        ]);
    });

    it("flags an FIS action duration over the maximum", async () => {
        const r = variant(fisTemplate(), (t) => (t.props.actions[0].parameters = [{ key: "duration", value: "PT2H" }]));
        assert.deepEqual(await resourceViolations(faultTtl, r), [
            'FIS action "stop" runs for PT2H, more than the allowed 30m; set its duration parameter to 30m or less',
        ]);
    });
});
