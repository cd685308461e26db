// Unit test: the spec schema alone (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ContainerPauseSpec, driver } from "../../../components/docker/faults/containerPause";
import { specIssues } from "../../helpers/spec";

describe("ContainerPauseSpec", () => {
    it("takes a target only", () => {
        const spec = ContainerPauseSpec.parse({ target: { nameRegex: "^db-", mode: "fixed", value: 2 } });
        assert.deepEqual(spec, { target: { nameRegex: "^db-", mode: "fixed", value: 2 } });
        assert.equal(driver.describe(spec), "freeze every process of 2 containers with names matching /^db-/ (docker pause)");
    });

    it("names missing and unknown fields", () => {
        assert.deepEqual(specIssues(ContainerPauseSpec, { duration: "10s" }), [
            { path: "spec.target", message: 'required: which containers to pause, e.g. { name: "web" }' },
            { path: "spec.duration", message: "unknown field; remove it or check its spelling against the documented fields" },
        ]);
    });
});
