import assert from "node:assert/strict";
import type { z } from "zod";
import { parseSpec, SpecError, type SpecIssue } from "../../components/core/errors";

/** The issues a schema reports for `input`, rooted at `spec` as the provider reports them; fails if it validates. */
export function specIssues(schema: z.ZodType, input: unknown): SpecIssue[] {
    try {
        parseSpec(schema, input, "spec", "spec");
    } catch (err) {
        assert.ok(err instanceof SpecError);
        return err.issues;
    }
    assert.fail("expected a SpecError");
}
