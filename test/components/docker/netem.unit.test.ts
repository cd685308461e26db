// Unit test: netem detection, tc arguments and spec validation (no Docker).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toSpecIssues } from "../../../components/core/errors";
import { netemArgs, NetemSpec, netemSupport } from "../../../components/docker/faults/netem";

function issues(input: unknown) {
    const r = NetemSpec.safeParse(input);
    assert.equal(r.success, false);
    return toSpecIssues(r.error!.issues, "spec");
}

describe("netemSupport", () => {
    it("reads a kernel without sch_netem as missing, from either wording of tc", () => {
        assert.equal(netemSupport({ exitCode: 2, stdout: "", stderr: "Error: Specified qdisc kind is unknown.\n" }), "missing");
        assert.equal(
            netemSupport({ exitCode: 1, stdout: "", stderr: "RTNETLINK answers: No such file or directory\n" }),
            "missing",
        );
    });

    it("reads success as available, and any other failure as unknown (not as missing)", () => {
        assert.equal(netemSupport({ exitCode: 0, stdout: "", stderr: "" }), "available");
        assert.equal(netemSupport({ exitCode: 2, stdout: "", stderr: "RTNETLINK answers: Operation not permitted\n" }), "unknown");
    });
});

describe("netemArgs", () => {
    it("builds delay with jitter and loss as tc expects them", () => {
        assert.deepEqual(netemArgs({ delay: "100ms", jitter: "20ms", loss: 5 }), ["netem", "delay", "100ms", "20ms", "loss", "5%"]);
        assert.deepEqual(netemArgs({ loss: 0.5 }), ["netem", "loss", "0.5%"]);
        assert.deepEqual(netemArgs({ delay: "1s" }), ["netem", "delay", "1s"]);
    });
});

describe("NetemSpec", () => {
    it("defaults the interface to eth0", () => {
        assert.deepEqual(NetemSpec.parse({ target: { name: "api" }, delay: "10ms" }), {
            target: { name: "api", mode: "one" },
            interface: "eth0",
            delay: "10ms",
        });
    });

    it("needs delay or loss, and delay for jitter", () => {
        assert.deepEqual(issues({ target: { name: "api" }, jitter: "5ms" }), [
            { path: "spec", message: "give delay, loss or both: netem with neither changes nothing" },
            { path: "spec.jitter", message: "jitter varies the delay: give delay too" },
        ]);
    });

    it("rejects out-of-range loss and malformed times, each by path", () => {
        assert.deepEqual(issues({ target: { name: "api" }, delay: "100", loss: 150 }), [
            { path: "spec.delay", message: 'must be a time in tc units, e.g. "100ms", "1s" or "500us"' },
            { path: "spec.loss", message: "must be at most 100 (a percentage)" },
        ]);
    });
});
