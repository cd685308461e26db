// Unit test: selector schema and blast-radius arithmetic (no Docker).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toSpecIssues } from "../../../components/core/errors";
import { blastCount, ContainerSelector } from "../../../components/docker/selector";

function issues(input: unknown) {
    const r = ContainerSelector.safeParse(input);
    assert.equal(r.success, false);
    return toSpecIssues(r.error!.issues, "target");
}

describe("ContainerSelector", () => {
    it("defaults to mode one", () => {
        assert.deepEqual(ContainerSelector.parse({ name: "api" }), { name: "api", mode: "one" });
    });

    it("needs something to select by", () => {
        assert.deepEqual(issues({}), [{ path: "target", message: "give at least one of name, nameRegex or labels to select containers" }]);
    });

    it("needs a value for fixed and percent, and a sane percentage", () => {
        assert.deepEqual(issues({ labels: { a: "b" }, mode: "fixed" }), [{ path: "target.value", message: 'required when mode is "fixed"' }]);
        assert.deepEqual(issues({ labels: { a: "b" }, mode: "percent", value: 150 }), [
            { path: "target.value", message: "a percentage must be between 1 and 100" },
        ]);
    });

    it("refuses mode all without the explicit opt-in", () => {
        assert.deepEqual(issues({ nameRegex: "^demo-", mode: "all" }), [
            {
                path: "target.allowAll",
                message: 'mode "all" hits every matching container; set allowAll: true to confirm, or use mode one/fixed/percent',
            },
        ]);
        assert.equal(ContainerSelector.safeParse({ nameRegex: "^demo-", mode: "all", allowAll: true }).success, true);
    });

    it("rejects an invalid regular expression and an unknown mode", () => {
        assert.deepEqual(issues({ nameRegex: "(", mode: "most" }), [
            { path: "target.nameRegex", message: "is not a valid JavaScript regular expression" },
            { path: "target.mode", message: "must be one of: one, fixed, percent, all" },
        ]);
    });
});

describe("blastCount", () => {
    it("counts per mode", () => {
        assert.equal(blastCount({ mode: "one" }, 5), 1);
        assert.equal(blastCount({ mode: "fixed", value: 3 }, 5), 3);
        assert.equal(blastCount({ mode: "fixed", value: 9 }, 5), 5);
        assert.equal(blastCount({ mode: "percent", value: 50 }, 5), 3);
        assert.equal(blastCount({ mode: "percent", value: 1 }, 5), 1);
        assert.equal(blastCount({ mode: "all" }, 5), 5);
        assert.equal(blastCount({ mode: "all" }, 0), 0);
    });
});
