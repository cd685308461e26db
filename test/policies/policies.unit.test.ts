import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pack from "../../policies/policies";

describe("the policy pack", () => {
    it("lists every exported policy once, with a unique kebab-case name", () => {
        const exported = Object.entries(pack).filter(([k]) => k !== "policies").map(([, p]) => p);
        assert.equal(pack.policies.length, exported.length);
        for (const p of exported) assert.ok(pack.policies.includes(p as (typeof pack.policies)[number]), (p as { name: string }).name);
        const names = pack.policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        for (const n of names) assert.match(n, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    });

    it("makes every policy mandatory except the two the issue calls advisory", () => {
        const advisory = pack.policies.filter((p) => p.enforcementLevel !== "mandatory").map((p) => `${p.name}:${p.enforcementLevel}`);
        assert.deepEqual(advisory, ["fis-logging:advisory", "game-day-window:advisory"]);
    });

    it("gives every policy a description, a severity and remediation steps", () => {
        for (const p of pack.policies) {
            assert.ok(p.description.length > 20, p.name);
            assert.ok(p.severity, p.name);
            assert.ok((p.remediationSteps ?? "").length > 20, p.name);
        }
    });

    it("gives every configurable knob a default", () => {
        for (const p of pack.policies) {
            for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
                assert.notEqual((schema as { default?: unknown }).default, undefined, `${p.name}.${key}`);
            }
        }
    });
});

