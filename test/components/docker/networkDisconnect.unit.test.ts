// Unit test: the spec schema alone (no Docker, no engine).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpec, SpecError } from "../../../components/core/errors";
import { NetworkDisconnectSpec } from "../../../components/docker/faults/networkDisconnect";

function issues(input: unknown) {
    try {
        parseSpec(NetworkDisconnectSpec, input, "spec", "spec");
    } catch (err) {
        assert.ok(err instanceof SpecError);
        return err.issues;
    }
    assert.fail("expected a SpecError");
}

describe("NetworkDisconnectSpec", () => {
    it("accepts a container and a network", () => {
        assert.deepEqual(parseSpec(NetworkDisconnectSpec, { container: "a", network: "b" }, "spec"), { container: "a", network: "b" });
    });

    it("reports every missing field at once, each with its path", () => {
        assert.deepEqual(issues({}), [
            { path: "spec.container", message: "required: the name or ID of the container to cut off (see `docker ps`)" },
            { path: "spec.network", message: "required: the name or ID of the Docker network to cut it off from (see `docker network ls`)" },
        ]);
    });

    it("rejects empty strings and unknown fields", () => {
        assert.deepEqual(issues({ container: "", network: "n", netwrok: "x" }), [
            { path: "spec.container", message: "must not be empty: give the name or ID of the container to cut off" },
            { path: "spec.netwrok", message: "unknown field; remove it or check its spelling against the documented fields" },
        ]);
    });
});
