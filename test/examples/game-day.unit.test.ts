// The game-day CI example cannot run here (no GitHub); this checks that it parses, runs with --junit and publishes
// the JUnit it wrote.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../runner/env";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
}

const file = path.join(PROJECT_ROOT, "examples", "github-actions", "game-day.yml");
const workflow = parse(readFileSync(file, "utf8"), { strict: true, uniqueKeys: true }) as {
    permissions: Record<string, string>;
    jobs: { run: { steps: Step[]; strategy: { matrix: { stack: string[] } } } };
};
const steps = workflow.jobs.run.steps;

describe("examples/github-actions/game-day.yml", () => {
    it("runs each experiment with --junit and publishes that file as test results", () => {
        const run = steps.find((s) => s.run?.includes("faultline run"));
        assert.equal(run?.run, "npx faultline run ${{ matrix.stack }} --out runs/${{ matrix.stack }} --junit junit/${{ matrix.stack }}.xml || test $? -eq 1");
        const publish = steps.find((s) => s.uses?.startsWith("mikepenz/action-junit-report@"));
        assert.equal(publish?.with?.report_paths, "junit/*.xml");
        assert.equal(publish?.with?.fail_on_failure, true);
        assert.equal(workflow.permissions.checks, "write");
    });

    it("runs stacks that exist", () => {
        for (const stack of workflow.jobs.run.strategy.matrix.stack) {
            assert.ok(readFileSync(path.join(PROJECT_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8").includes(`name: ${stack}`), stack);
        }
    });
});
