// Unit test: the spec schema alone (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ContainerKillSpec, driver } from "../../../components/docker/faults/containerKill";
import { specIssues } from "../../helpers/spec";

describe("ContainerKillSpec", () => {
    it("defaults to SIGKILL and blast radius one", () => {
        assert.deepEqual(ContainerKillSpec.parse({ target: { name: "web" } }), { target: { name: "web", mode: "one" }, signal: "SIGKILL" });
    });

    it("describes what it will do", () => {
        assert.equal(
            driver.describe(ContainerKillSpec.parse({ target: { labels: { tier: "api" }, mode: "percent", value: 50 }, signal: "SIGTERM" })),
            "send SIGTERM to the main process of 50% of the containers labelled tier=api",
        );
    });

    it("says what to select when the target is missing, and which signals exist", () => {
        assert.deepEqual(specIssues(ContainerKillSpec, { signal: "KILL" }), [
            { path: "spec.target", message: 'required: which containers to kill, e.g. { name: "web" }' },
            { path: "spec.signal", message: "must be one of: SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGKILL, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM" },
        ]);
    });

    it("reports selector problems under spec.target and unknown fields by name", () => {
        assert.deepEqual(specIssues(ContainerKillSpec, { target: { nameRegex: "^web", mode: "all" }, signl: "SIGTERM" }), [
            {
                path: "spec.target.allowAll",
                message: 'mode "all" hits every matching container; set allowAll: true to confirm, or use mode one/fixed/percent',
            },
            { path: "spec.signl", message: "unknown field; remove it or check its spelling against the documented fields" },
        ]);
    });
});
