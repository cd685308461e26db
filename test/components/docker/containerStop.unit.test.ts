// Unit test: the spec schemas of stop and restart (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ContainerRestartSpec } from "../../../components/docker/faults/containerRestart";
import { ContainerStopSpec, driver } from "../../../components/docker/faults/containerStop";
import { specIssues } from "../../helpers/spec";

describe("ContainerStopSpec and ContainerRestartSpec", () => {
    it("default to a 10 s grace period, like docker stop", () => {
        assert.deepEqual(ContainerStopSpec.parse({ target: { name: "db" } }), { target: { name: "db", mode: "one" }, graceSeconds: 10 });
        assert.deepEqual(ContainerRestartSpec.parse({ target: { name: "db" } }), { target: { name: "db", mode: "one" }, graceSeconds: 10 });
        assert.equal(driver.describe(ContainerStopSpec.parse({ target: { name: "db" }, graceSeconds: 0 })), 'stop one container named "db" (SIGTERM, SIGKILL after 0s)');
    });

    it("bound the grace period", () => {
        assert.deepEqual(specIssues(ContainerStopSpec, { target: { name: "db" }, graceSeconds: 301 }), [
            { path: "spec.graceSeconds", message: "must be at most 300 seconds" },
        ]);
        assert.deepEqual(specIssues(ContainerRestartSpec, { target: { name: "db" }, graceSeconds: 1.5 }), [
            { path: "spec.graceSeconds", message: "must be a whole number of seconds" },
        ]);
        assert.deepEqual(specIssues(ContainerRestartSpec, {}), [
            { path: "spec.target", message: 'required: which containers to restart, e.g. { name: "web" }' },
        ]);
    });
});
