import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { productionApproval } from "../../policies/production";
import { stackViolations, variant, type TestResource } from "../helpers/policy";
import { dockerFault, experiment } from "./fixtures";

const future = new Date(Date.now() + 24 * 3_600_000).toISOString();
const past = new Date(Date.now() - 3_600_000).toISOString();
const approval = { by: "alice", at: "2026-01-05T09:00:00Z", ticket: "CHG-42", expires: future };

/** A production experiment ("environment: production") with its fault, in stack `stack`. */
function prodStack(change: (e: TestResource) => void = () => undefined, stack = "staging"): TestResource[] {
    const e = variant(experiment(), (x) => {
        x.props.environment = "production";
        x.props.approval = { ...approval };
        x.stack = stack;
        change(x);
    });
    return [e, { ...dockerFault(), stack }];
}

describe("policy production-approval", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(productionApproval.enforcementLevel, "mandatory");
        assert.equal(productionApproval.severity, "critical");
        assert.match(productionApproval.remediationSteps ?? "", /approval/);
    });

    it("passes a non-production stack without approval", async () => {
        assert.deepEqual(await stackViolations(productionApproval, [experiment(), dockerFault()]), []);
    });

    it("passes a production experiment with an unexpired approval", async () => {
        assert.deepEqual(await stackViolations(productionApproval, prodStack()), []);
    });

    it("denies a production experiment without approval", async () => {
        assert.deepEqual(await stackViolations(productionApproval, prodStack((e) => delete e.props.approval)), [
            'experiment "checkout" runs in production (experiment "checkout" has environment "production") without an approval; ' +
                "set approval.by, approval.at, approval.ticket and approval.expires",
        ]);
    });

    it("denies an expired approval", async () => {
        assert.deepEqual(await stackViolations(productionApproval, prodStack((e) => (e.props.approval.expires = past))), [
            'experiment "checkout" runs in production (experiment "checkout" has environment "production") with an approval ' +
                `(ticket CHG-42, by alice) that expired at ${past}; get it renewed`,
        ]);
    });

    it("denies an approval missing who or which ticket", async () => {
        const r = prodStack((e) => {
            delete e.props.approval.by;
            e.props.approval.ticket = " ";
        });
        assert.deepEqual(await stackViolations(productionApproval, r), [
            'experiment "checkout" runs in production (experiment "checkout" has environment "production") with an incomplete approval; ' +
                "set approval.by, approval.ticket",
        ]);
    });

    it("denies an approval whose expiry is not a date", async () => {
        assert.deepEqual(await stackViolations(productionApproval, prodStack((e) => (e.props.approval.expires = "friday"))), [
            'experiment "checkout" runs in production (experiment "checkout" has environment "production") with approval.expires "friday", ' +
                "which is not a date; write it like 2026-05-01T18:00:00Z",
        ]);
    });

    it("treats a stack named like production as production", async () => {
        const r = prodStack((e) => {
            e.props.environment = "staging";
            delete e.props.approval;
        }, "prod-eu");
        assert.deepEqual(await stackViolations(productionApproval, r), [
            'experiment "checkout" runs in production (stack name "prod-eu" matches /prod/) without an approval; ' +
                "set approval.by, approval.at, approval.ticket and approval.expires",
        ]);
        assert.deepEqual(await stackViolations(productionApproval, r, { config: { productionStackPattern: "^live-" } }), []);
    });

    it("treats a stack tagged environment=production as production", async () => {
        const r = prodStack((e) => {
            e.props.environment = "staging";
            delete e.props.approval;
        });
        assert.deepEqual(await stackViolations(productionApproval, r, { stackTags: { environment: "production" } }), [
            'experiment "checkout" runs in production (stack tag environment=production) without an approval; ' +
                "set approval.by, approval.at, approval.ticket and approval.expires",
        ]);
    });

    it("denies a production stack that declares no experiment", async () => {
        assert.deepEqual(await stackViolations(productionApproval, [{ ...dockerFault(), stack: "prod" }]), [
            'this stack is production (stack name "prod" matches /prod/) and declares no experiment that could carry an approval; declare the experiment with an approval',
        ]);
    });
});
