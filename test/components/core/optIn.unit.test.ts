import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isFaultlineOwn } from "../../../components/core/labels";
import { targetIssues } from "../../../components/core/optIn";

const optedIn = { name: "web", labels: { "chaos.opt-in": "true" } };
const bare = { name: "db", labels: { app: "db" } };
const reaper = { name: "faultline-reaper-test", labels: { "dev.faultline.managed": "true", "dev.faultline.role": "reaper" } };

describe("the provider's target checks", () => {
    it("passes opted-in targets", () => {
        assert.deepEqual(targetIssues([optedIn], { fault: "f" }), { issues: [], warnings: [] });
    });

    it("refuses a target without the opt-in label, naming the label, how to add it and the opt-out", () => {
        assert.deepEqual(targetIssues([optedIn, bare], { fault: "f" }), {
            issues: [
                {
                    path: "targets",
                    message:
                        '"db" is not opted in to faults: it lacks the label chaos.opt-in=true; add it (`docker run --label chaos.opt-in=true`, ' +
                        'or in compose `labels: { chaos.opt-in: "true" }`), or opt this experiment out with allowUnlabelledTargets: true',
                },
            ],
            warnings: [],
        });
    });

    it("only warns when the experiment opted out", () => {
        assert.deepEqual(targetIssues([bare], { fault: "f", allowUnlabelledTargets: true }), {
            issues: [],
            warnings: ['fault "f" targets "db" without the label chaos.opt-in=true, because the experiment set allowUnlabelledTargets: true'],
        });
    });

    it("refuses faultline's own reapers and helpers even when opted out or labelled", () => {
        const labelled = { ...reaper, labels: { ...reaper.labels, "chaos.opt-in": "true" } };
        assert.deepEqual(targetIssues([labelled], { fault: "f", allowUnlabelledTargets: true }).issues, [
            { path: "targets", message: '"faultline-reaper-test" is one of faultline\'s own reapers or helpers, which no fault may target; name the container under test instead' },
        ]);
    });

    it("knows faultline's own containers by managed or role, not demo or sandbox ones", () => {
        assert.equal(isFaultlineOwn({ "dev.faultline.managed": "true" }), true);
        assert.equal(isFaultlineOwn({ "dev.faultline.role": "helper" }), true);
        assert.equal(isFaultlineOwn({ "dev.faultline.role": "demo", "chaos.opt-in": "true" }), false);
        assert.equal(isFaultlineOwn({ "dev.faultline.role": "sandbox" }), false);
        assert.equal(isFaultlineOwn(undefined), false);
    });
});
