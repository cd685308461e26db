import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fisLogging, fisRoleScoped, fisStopCondition, fisTargetSelection } from "../../policies/fis";
import { resourceViolations, stackViolations, variant, type TestResource } from "../helpers/policy";
import { fisRole, fisTemplate } from "./fixtures";

/** The template wired to its role the way Pulumi records it: roleArn depends on the role. */
function stack(role = fisRole(), extra: TestResource[] = []): TestResource[] {
    return [role, variant(fisTemplate(), (t) => (t.dependsOn = { roleArn: [role.name!] })), ...extra];
}

const policyDoc = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

describe("policy fis-stop-condition", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(fisStopCondition.enforcementLevel, "mandatory");
        assert.equal(fisStopCondition.severity, "high");
        assert.match(fisStopCondition.remediationSteps ?? "", /aws:cloudwatch:alarm/);
    });

    it("passes a template with an alarm stop condition", async () => {
        assert.deepEqual(await resourceViolations(fisStopCondition, fisTemplate()), []);
    });

    it("flags a template whose only stop condition is none", async () => {
        const r = variant(fisTemplate(), (t) => (t.props.stopConditions = [{ source: "none" }]));
        assert.deepEqual(await resourceViolations(fisStopCondition, r), [
            'FIS template "stop-web" has no CloudWatch alarm stop condition (it has: none); add { source: "aws:cloudwatch:alarm", value: <alarm ARN> }',
        ]);
    });

    it("flags an alarm stop condition without an alarm ARN", async () => {
        const r = variant(fisTemplate(), (t) => (t.props.stopConditions = [{ source: "aws:cloudwatch:alarm" }]));
        assert.deepEqual(await resourceViolations(fisStopCondition, r), [
            'FIS template "stop-web" has no CloudWatch alarm stop condition (it has: aws:cloudwatch:alarm); add { source: "aws:cloudwatch:alarm", value: <alarm ARN> }',
        ]);
    });
});

describe("policy fis-target-selection", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(fisTargetSelection.enforcementLevel, "mandatory");
        assert.equal(fisTargetSelection.severity, "high");
        assert.match(fisTargetSelection.remediationSteps ?? "", /resourceArns/);
    });

    it("passes targets selected by tags, ARNs or a pod label selector", async () => {
        assert.deepEqual(await resourceViolations(fisTargetSelection, fisTemplate()), []);
        const arns = variant(fisTemplate(), (t) => {
            delete t.props.targets[0].resourceTags;
            t.props.targets[0].resourceArns = ["arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"];
        });
        assert.deepEqual(await resourceViolations(fisTargetSelection, arns), []);
        const pods = variant(fisTemplate(), (t) => {
            t.props.targets[0] = {
                name: "pods", resourceType: "aws:eks:pod", selectionMode: "COUNT(1)",
                parameters: { clusterIdentifier: "shop", namespace: "orders", selectorType: "labelSelector", selectorValue: "chaos.opt-in=true" },
            };
        });
        assert.deepEqual(await resourceViolations(fisTargetSelection, pods), []);
    });

    it("flags ALL over untagged resources narrowed only by filters", async () => {
        const r = variant(fisTemplate(), (t) => {
            delete t.props.targets[0].resourceTags;
            t.props.targets[0].selectionMode = "ALL";
            t.props.targets[0].filters = [{ path: "State.Name", values: ["running"] }];
        });
        assert.deepEqual(await resourceViolations(fisTargetSelection, r), [
            'FIS target "web" of template "stop-web" selects aws:ec2:instance resources by neither resourceTags nor resourceArns (selectionMode ALL); select by tags or list ARNs',
        ]);
    });
});

describe("policy fis-logging", () => {
    it("is advisory, with a severity and remediation steps", () => {
        assert.equal(fisLogging.enforcementLevel, "advisory");
        assert.equal(fisLogging.severity, "low");
        assert.match(fisLogging.remediationSteps ?? "", /logConfiguration/);
    });

    it("passes a template with logs or a report", async () => {
        assert.deepEqual(await resourceViolations(fisLogging, fisTemplate()), []);
        const report = variant(fisTemplate(), (t) => {
            delete t.props.logConfiguration;
            t.props.experimentReportConfiguration = { outputs: { s3Configuration: { bucketName: "reports" } } };
        });
        assert.deepEqual(await resourceViolations(fisLogging, report), []);
    });

    it("flags a template that keeps no record", async () => {
        const r = variant(fisTemplate(), (t) => delete t.props.logConfiguration);
        assert.deepEqual(await resourceViolations(fisLogging, r), [
            'FIS template "stop-web" keeps no record of its runs; set logConfiguration or experimentReportConfiguration',
        ]);
    });
});

describe("policy fis-role-scoped", () => {
    it("is mandatory, with a severity and remediation steps", () => {
        assert.equal(fisRoleScoped.enforcementLevel, "mandatory");
        assert.equal(fisRoleScoped.severity, "high");
        assert.match(fisRoleScoped.remediationSteps ?? "", /fis\.amazonaws\.com/);
    });

    it("passes a role that trusts FIS and grants scoped actions, found through roleArn's dependency or its ARN", async () => {
        assert.deepEqual(await stackViolations(fisRoleScoped, stack()), []);
        assert.deepEqual(await stackViolations(fisRoleScoped, [fisRole(), fisTemplate()]), []);
    });

    it("flags a role the stack does not declare, unless its ARN is listed as reviewed", async () => {
        const r = [variant(fisTemplate(), (t) => (t.props.roleArn = "arn:aws:iam::123456789012:role/elsewhere"))];
        assert.deepEqual(await stackViolations(fisRoleScoped, r), [
            'FIS template "stop-web" uses role arn:aws:iam::123456789012:role/elsewhere, which is not declared in this stack, so its scope cannot be checked; declare the role in the stack or list its ARN in reviewedRoleArns',
        ]);
        assert.deepEqual(await stackViolations(fisRoleScoped, r, { config: { reviewedRoleArns: ["arn:aws:iam::123456789012:role/elsewhere"] } }), []);
    });

    it("flags a role that others can assume", async () => {
        const role = variant(fisRole(), (r) => {
            r.props.assumeRolePolicy = policyDoc({ Effect: "Allow", Principal: { Service: ["fis.amazonaws.com", "ec2.amazonaws.com"] }, Action: "sts:AssumeRole" });
        });
        assert.deepEqual(await stackViolations(fisRoleScoped, stack(role)), [
            'role "fis-web" of FIS template "stop-web" can be assumed by ec2.amazonaws.com; trust only fis.amazonaws.com',
        ]);
    });

    it("flags AdministratorAccess, on the role or through an attachment", async () => {
        const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        const expected = ['role "fis-web" of FIS template "stop-web" has the broad managed policy AdministratorAccess attached; attach a policy scoped to the experiment instead'];
        assert.deepEqual(await stackViolations(fisRoleScoped, stack(variant(fisRole(), (r) => (r.props.managedPolicyArns = [admin])))), expected);
        const attachment: TestResource = { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "admin", props: { role: "fis-web", policyArn: admin } };
        assert.deepEqual(await stackViolations(fisRoleScoped, stack(fisRole(), [attachment])), expected);
    });

    it("flags wildcard actions and mutating actions on every resource without a condition", async () => {
        const wildcard = variant(fisRole(), (r) => (r.props.inlinePolicies[0].policy = policyDoc({ Effect: "Allow", Action: "ec2:*", Resource: "*" })));
        assert.deepEqual(await stackViolations(fisRoleScoped, stack(wildcard)), [
            'role "fis-web" of FIS template "stop-web" allows every action of "ec2:*"; list only the actions its FIS actions need',
        ]);
        const rolePolicy: TestResource = {
            type: "aws:iam/rolePolicy:RolePolicy",
            name: "extra",
            props: { role: "fis-web", policy: policyDoc({ Effect: "Allow", Action: ["ec2:TerminateInstances"], Resource: "*" }) },
            dependsOn: { role: ["fis-web"] },
        };
        assert.deepEqual(await stackViolations(fisRoleScoped, stack(fisRole(), [rolePolicy])), [
            'role "fis-web" of FIS template "stop-web" allows ec2:TerminateInstances on every resource ("*") without a condition; scope Resource to the target ARNs or add a Condition on aws:ResourceTag/chaos.opt-in',
        ]);
    });
});
