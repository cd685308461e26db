// The faultline policy pack: `pulumi preview --policy-pack <this directory>`. See docs/guardrails.md.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("faultline-guardrails", {
    description: "faultline guardrails: every experiment is checked against these rules before anything is injected.",
    enforcementLevel: "mandatory",
    policies,
});
