import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { figure, isEvaluated, OUTCOME_HEADLINE, OUTCOMES, outcomeOf } from "../../../runner/evidence/outcome";

describe("outcomes", () => {
    it("maps verdict and status to one of four outcomes", () => {
        assert.deepEqual(
            [outcomeOf("held", "completed"), outcomeOf("refuted", "stopped"), outcomeOf("aborted", "aborted"), outcomeOf("aborted", "interrupted"), outcomeOf("aborted", "error")],
            ["held", "refuted", "aborted", "aborted", "error"],
        );
    });

    it("only held and refuted are evaluated", () => {
        assert.deepEqual(OUTCOMES.map((o) => [o, isEvaluated(o)]), [["held", true], ["refuted", true], ["aborted", false], ["error", false]]);
    });

    it("one headline per outcome, and a figure only for evaluated runs", () => {
        assert.deepEqual(OUTCOMES.map((o) => OUTCOME_HEADLINE[o]), ["HELD", "REFUTED", "ABORTED (not evaluated)", "ERROR (not evaluated)"]);
        assert.equal(figure("held", 97.5, (v) => `${v} / 100`), "97.5 / 100");
        assert.equal(figure("aborted", 100, (v) => `${v} / 100`), "not evaluated");
        assert.equal(figure("error", 0, String), "not evaluated");
    });
});
