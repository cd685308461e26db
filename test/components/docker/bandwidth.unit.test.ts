// Unit test: bandwidth spec, tbf arguments and root-qdisc parsing (no Docker).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toSpecIssues } from "../../../components/core/errors";
import { BandwidthSpec, tbfArgs } from "../../../components/docker/faults/bandwidth";
import { faultHandle, isFaultlineHandle, isFaultQdisc, parseRootQdisc } from "../../../components/docker/qdisc";

function issues(input: unknown) {
    const r = BandwidthSpec.safeParse(input);
    assert.equal(r.success, false);
    return toSpecIssues(r.error!.issues, "spec");
}

describe("BandwidthSpec", () => {
    it("defaults interface, burst and latency", () => {
        const spec = BandwidthSpec.parse({ target: { name: "api" }, rate: "1mbit" });
        assert.deepEqual(spec, { target: { name: "api", mode: "one" }, interface: "eth0", rate: "1mbit", burst: "32kbit", latency: "400ms" });
        assert.deepEqual(tbfArgs(spec), ["tbf", "rate", "1mbit", "burst", "32kbit", "latency", "400ms"]);
    });

    it("rejects what tc would not read, each by path with an example", () => {
        assert.deepEqual(issues({ target: { name: "api" }, rate: "1 Mbps", burst: "lots", latency: "1", interface: "eth0; reboot" }), [
            { path: "spec.interface", message: "must be a network interface name inside the container, such as eth0 (see `ip link` in it)" },
            { path: "spec.rate", message: 'must be a rate in tc units, e.g. "1mbit", "512kbit" or "128kbps" (bytes/s)' },
            { path: "spec.burst", message: 'must be a size in tc units, e.g. "32kbit", "10kb" or "1500b"' },
            { path: "spec.latency", message: 'must be a time in tc units, e.g. "400ms", "1s" or "500us"' },
        ]);
        assert.deepEqual(issues({ target: { name: "api" } }), [
            { path: "spec.rate", message: 'required: a rate in tc units, e.g. "1mbit" (bits/s) or "128kbps" (bytes/s)' },
        ]);
    });
});

describe("root qdisc", () => {
    it("parses tc's line and tells the fault's own qdisc (by its handle) from the kernel default and other faults'", () => {
        assert.deepEqual(parseRootQdisc("qdisc noqueue 0: root refcnt 2 \n"), { kind: "noqueue", handle: "0:" });
        const ours = "qdisc tbf fa17: root refcnt 3 rate 4Mbit burst 4Kb lat 400ms";
        assert.equal(isFaultQdisc(ours, "tbf", "fa17:"), true);
        assert.equal(isFaultQdisc(ours, "netem", "fa17:"), false);
        assert.equal(isFaultQdisc(ours, "tbf", "f001:"), false, "another fault's handle");
        assert.equal(isFaultQdisc("qdisc tbf 1: root refcnt 3 rate 4Mbit", "tbf", "fa17:"), false);
        assert.equal(parseRootQdisc(""), undefined);
    });

    it("chooses each fault's handle from its stack and name, in faultline's range f000:-ffef:", () => {
        const a = faultHandle({ stack: "s1", fault: "slow" });
        assert.match(a, /^f[0-9a-f]{3}:$/);
        assert.equal(faultHandle({ stack: "s1", fault: "slow" }), a, "the same fault always gets the same handle");
        assert.notEqual(faultHandle({ stack: "s1", fault: "slower" }), a);
        assert.notEqual(faultHandle({ stack: "s2", fault: "slow" }), a);
        assert.equal(isFaultlineHandle(a), true);
        assert.equal(isFaultlineHandle("fa17:"), true, "records written before per-fault handles");
        assert.equal(isFaultlineHandle("fff0:"), false);
        assert.equal(isFaultlineHandle("0:"), false);
        assert.equal(isFaultlineHandle("1:"), false);
    });
});
