import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { experimentMetadataArgs } from "../../../components/core/ExperimentMetadata";

describe("experimentMetadataArgs", () => {
    it("counts probes and stop conditions and keeps what the policy pack reads", () => {
        const approval = { by: "alice", at: "2026-01-05T09:00:00Z", ticket: "CHG-42", expires: "2026-01-06T09:00:00Z" };
        assert.deepEqual(
            experimentMetadataArgs({
                name: "checkout",
                owner: "sre",
                hypothesis: { text: "orders keep flowing", probes: [{}, {}] },
                stopConditions: [{}],
                environment: { name: "eu-prod", production: true },
                approval,
                allowSharedTargets: true,
            }),
            {
                name: "checkout",
                owner: "sre",
                hypothesis: "orders keep flowing",
                steadyStateProbes: 2,
                stopConditions: 1,
                environment: "production",
                approval,
                allowSharedTargets: true,
            },
        );
    });

    it("reports zero probes and stop conditions, and no hypothesis, when the spec has none", () => {
        assert.deepEqual(experimentMetadataArgs({ name: "bare", hypothesis: { text: "" }, environment: { name: "staging" } }), {
            name: "bare",
            steadyStateProbes: 0,
            stopConditions: 0,
            environment: "staging",
        });
    });
});
