// The CI example cannot run here (no GitHub); this checks that it parses and says what docs/guardrails.md says.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../runner/env";

interface Step {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
}

const file = path.join(PROJECT_ROOT, "examples", "github-actions", "chaos-review.yml");
const workflow = parse(readFileSync(file, "utf8"), { strict: true, uniqueKeys: true }) as {
    on: { pull_request: { paths: string[] } };
    permissions: Record<string, string>;
    jobs: Record<string, { steps: Step[]; "runs-on": unknown }>;
};
const steps = workflow.jobs.preview?.steps ?? [];

describe("examples/github-actions/chaos-review.yml", () => {
    it("runs on pull requests that touch experiments or the pack, and may comment on them", () => {
        assert.deepEqual(workflow.on.pull_request.paths, ["stacks/**", "components/**", "policies/**", "Pulumi.yaml"]);
        assert.deepEqual(workflow.permissions, { contents: "read", "pull-requests": "write" });
    });

    it("installs the policy pack's own dependencies", () => {
        assert.ok(steps.some((s) => s.run?.includes("npm ci --prefix policies")));
    });

    it("previews with the diff and the policy pack, and posts the result on the pull request", () => {
        const preview = steps.find((s) => s.id === "preview");
        assert.equal(preview?.uses, "pulumi/actions@v6");
        assert.deepEqual(preview?.with, {
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            diff: true,
            policyPacks: "policies",
            "comment-on-pr": true,
            "edit-pr-comment": true,
            "github-token": "${{ secrets.GITHUB_TOKEN }}",
        });
    });

    it("pins every action to a version", () => {
        for (const s of steps.filter((s) => s.uses)) assert.match(s.uses!, /@v\d+$/, s.uses);
    });
});
