// Unit test: the spec schema alone (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { driver, ProcessKillSpec } from "../../../components/docker/faults/processKill";
import { specIssues } from "../../helpers/spec";

describe("ProcessKillSpec", () => {
    it("defaults to SIGKILL on process names", () => {
        const spec = ProcessKillSpec.parse({ target: { name: "api" }, process: "^worker$" });
        assert.deepEqual(spec, { target: { name: "api", mode: "one" }, process: "^worker$", fullCommand: false, signal: "SIGKILL" });
        assert.equal(driver.describe(spec), 'send SIGKILL to the processes named like /^worker$/ in one container named "api"');
    });

    it("needs a process pattern", () => {
        assert.deepEqual(specIssues(ProcessKillSpec, { target: { name: "api" } }), [
            { path: "spec.process", message: 'required: a pattern for the processes to kill, e.g. "nginx" (as `pkill` takes it)' },
        ]);
        assert.deepEqual(specIssues(ProcessKillSpec, { target: { name: "api" }, process: "", fullCommand: "yes" }), [
            { path: "spec.process", message: 'must not be empty: give a pattern for the processes to kill, e.g. "nginx"' },
            { path: "spec.fullCommand", message: "Invalid input: expected boolean, received string" },
        ]);
    });
});
