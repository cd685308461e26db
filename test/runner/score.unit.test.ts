import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resilienceScore, type ScoreInputs } from "../../runner/score";

const DEFAULT = { expectedBehaviour: 30, recovery: 40, recoveryTime: 20, errorRate: 10 };
const perfect: ScoreInputs = { expectedBehaviour: 1, recovered: 1, recoveryTimeMs: 0, recoverySloMs: 30_000, recoveryDeadlineMs: 60_000, errorRate: 0, maxErrorRate: 0.05 };

describe("resilience score", () => {
    it("is 100 for a perfect run, with the default weights as points", () => {
        const s = resilienceScore(perfect, DEFAULT);
        assert.equal(s.overall, 100);
        assert.deepEqual(s.parts.map((p) => [p.part, p.points]), [["expectedBehaviour", 30], ["recovery", 40], ["recoveryTime", 20], ["errorRate", 10]]);
    });

    it("earns each part linearly", () => {
        const s = resilienceScore({ ...perfect, expectedBehaviour: 0.5, recoveryTimeMs: 45_000, errorRate: 0.525 }, DEFAULT);
        // 15 + 40 + 20 * 0.5 + 10 * 0.5
        assert.equal(s.overall, 70);
    });

    it("gives nothing for recovery time when nothing recovered, and nothing for errors at 100%", () => {
        const s = resilienceScore({ ...perfect, recovered: 0, recoveryTimeMs: null, errorRate: 1 }, DEFAULT);
        assert.equal(s.overall, 30);
    });

    it("never goes above 100, whatever the inputs and weights (litmus#3573)", () => {
        const weights = [DEFAULT, { expectedBehaviour: 300, recovery: 0, recoveryTime: 0, errorRate: 0 }, { expectedBehaviour: 1e9, recovery: 1e9, recoveryTime: 1e9, errorRate: 1e9 }, { expectedBehaviour: 0.1, recovery: 0, recoveryTime: 0.2, errorRate: 0 }];
        const odd: ScoreInputs[] = [
            perfect,
            { ...perfect, expectedBehaviour: 5, recovered: 3 },
            { ...perfect, recoveryTimeMs: -1000, errorRate: -0.5 },
            { ...perfect, expectedBehaviour: Number.POSITIVE_INFINITY, recovered: Number.NaN },
        ];
        for (const w of weights) {
            for (const i of odd) {
                const s = resilienceScore(i, w);
                assert.ok(s.overall <= 100 && s.overall >= 0, `${JSON.stringify(w)} ${JSON.stringify(i)} -> ${s.overall}`);
                for (const p of s.parts) assert.ok(p.points <= 100 && p.fraction <= 1);
            }
        }
        for (let k = 0; k < 2000; k++) {
            const r = () => Math.random() * 3 - 1;
            const s = resilienceScore(
                { expectedBehaviour: r(), recovered: r(), recoveryTimeMs: r() * 1e5, recoverySloMs: 30_000, recoveryDeadlineMs: 60_000, errorRate: r(), maxErrorRate: Math.random() },
                { expectedBehaviour: Math.random() * 100, recovery: Math.random() * 100, recoveryTime: Math.random() * 100, errorRate: Math.random() * 100 },
            );
            assert.ok(s.overall <= 100 && s.overall >= 0, String(s.overall));
        }
    });

    it("weights are relative: doubling every weight changes nothing; a zero weight drops a part", () => {
        const i = { ...perfect, expectedBehaviour: 0, recoveryTimeMs: 40_000 };
        const doubled = Object.fromEntries(Object.entries(DEFAULT).map(([k, v]) => [k, v * 2])) as typeof DEFAULT;
        assert.equal(resilienceScore(i, doubled).overall, resilienceScore(i, DEFAULT).overall);
        // (40 + 20 * 2/3 + 10) / 70 * 100
        assert.equal(resilienceScore(i, { ...DEFAULT, expectedBehaviour: 0 }).overall, 90.5);
    });
});
