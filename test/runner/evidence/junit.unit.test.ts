// JUnit XML: parsed back and checked against the structure CI tools read (testsuites > testsuite > testcase, with
// failure/error children and counts that match), for the library and for `faultline report --junit`.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { convert } from "xmlbuilder2";
import { junitXml } from "../../../runner/evidence/junit";
import type { Evidence } from "../../../runner/evidence/schema";
import { writeRun } from "../../../runner/evidence/store";
import { cli } from "../../helpers/cli";
import { evidence } from "../../helpers/evidence";

type Attrs = Record<string, string>;
/** A test case: its attributes (classname, name, time) and what its child elements say. */
interface Case {
    classname: string;
    name: string;
    time: string;
    outcome: "passed" | "failure" | "error";
    type: string;
    message: string;
    out: string;
}
/** The parsed document: the root's and the suite's attributes, and each test case with its outcome element. */
function parse(xml: string) {
    const doc = convert(xml, { format: "object", group: false }) as any;
    const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
    const attrs = (o: any): Attrs => Object.fromEntries(Object.entries(o).filter(([k]) => k.startsWith("@")).map(([k, v]) => [k.slice(1), String(v)]));
    assert.deepEqual(Object.keys(doc), ["testsuites"], "one root: testsuites");
    const suites = list(doc.testsuites.testsuite);
    assert.equal(suites.length, 1, "one testsuite");
    const cases = list<any>(suites[0].testcase).map((c): Case => ({
        classname: attrs(c).classname ?? "",
        name: attrs(c).name ?? "",
        time: attrs(c).time ?? "",
        outcome: c.failure ? "failure" : c.error ? "error" : "passed",
        type: attrs(c.failure ?? c.error ?? {}).type ?? "",
        message: attrs(c.failure ?? c.error ?? {}).message ?? "",
        out: String(c["system-out"] ?? ""),
    }));
    return { root: attrs(doc.testsuites), suite: attrs(suites[0]), cases };
}

const inFault = (t: number) => t >= 2000 && t < 4200;
const runs = (): Evidence[] => {
    const failedRollback = evidence("rollback-broke", "db", () => false);
    failedRollback.rollback = { ...failedRollback.rollback, result: "failed", error: "destroy failed 3 times" };
    return [
        evidence("web-cut", "web", inFault),
        evidence("other-survives", "other", () => false),
        // An older run of the same experiment: the latest one (refuted above) is the test case.
        evidence("web-cut", "web", () => false, "completed", "2025-12-31T00:00:00.000Z"),
        evidence("api-interrupted", "api", inFault, "interrupted"),
        failedRollback,
    ];
};

describe("JUnit XML", () => {
    it("one test case per experiment: held passes, refuted fails naming the SLO, aborted and a failed rollback are errors", () => {
        const { root, suite, cases } = parse(junitXml(runs()));
        assert.deepEqual(
            cases.map((c) => [c.classname, c.name, c.outcome, c.type]),
            [
                ["faultline.api", "api-interrupted", "error", "interrupted"],
                ["faultline.other", "other-survives", "passed", ""],
                ["faultline.db", "rollback-broke", "error", "rollback-failed"],
                ["faultline.web", "web-cut", "failure", "refuted"],
            ],
        );
        const counts = { tests: "4", failures: "1", errors: "2" };
        assert.deepEqual({ tests: root.tests, failures: root.failures, errors: root.errors }, counts);
        assert.deepEqual({ tests: suite.tests, failures: suite.failures, errors: suite.errors, skipped: suite.skipped }, { ...counts, skipped: "0" });
        assert.equal(suite.name, "faultline");
        assert.equal(suite.timestamp, "2026-01-01T00:00:00.000Z");
        const refuted = cases.find((c) => c.name === "web-cut")!;
        assert.match(refuted.message, /^SLO error-rate violated: error rate \d+\.\d% while the faults were in/);
        assert.match(refuted.out, /^REFUTED \(completed\): /);
        assert.match(refuted.out, /\nFAIL error-rate \[chaos\]: /);
        assert.equal(cases.find((c) => c.name === "rollback-broke")!.message, "rollback failed: destroy failed 3 times");
        assert.equal(cases.find((c) => c.name === "web-cut")!.time, "6.000");
    });

    it("escapes what it is given", () => {
        const e = evidence("quote", "a<b>&\"c\"", () => false);
        const xml = junitXml([e]);
        assert.match(xml, /classname="faultline\.a&lt;b&gt;&amp;&quot;c&quot;"/);
    });

    it("faultline report --junit writes it from evidence directories", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-junit-"));
        try {
            for (const e of runs()) writeRun(path.join(dir, e.run_id + e.started_at.slice(0, 4)), e);
            const out = path.join(dir, "junit", "faultline.xml");
            const c = cli(["report", dir, "--junit", out]);
            assert.equal(await c.exit, 0, c.stderr());
            assert.equal(c.stdout().trim().split("\n").at(-1), `wrote ${out}`);
            assert.deepEqual(parse(fs.readFileSync(out, "utf8")).cases.map((x) => `${x.name} ${x.outcome}`), [
                "api-interrupted error",
                "other-survives passed",
                "rollback-broke error",
                "web-cut failure",
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
