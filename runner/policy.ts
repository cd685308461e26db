import * as path from "node:path";
import type { EngineEvent, PolicyEvent, PreviewOptions, PreviewResult, Stack } from "@pulumi/pulumi/automation";
import { policies } from "../policies/policies";
import { PROJECT_ROOT } from "./env";

/**
 * Absolute path of the faultline policy pack. `plan` and `run` always pass it to the engine, as
 * `pulumi preview --policy-pack <POLICY_PACK_DIR>` does on the command line (the README's Guardrails section).
 */
export const POLICY_PACK_DIR = path.join(PROJECT_ROOT, "policies");

/** One policy result of a preview or update. */
export interface PolicyViolation {
    /** The policy's name, e.g. `fault-ttl`. */
    policy: string;
    /** `mandatory` blocks the preview or update; `advisory` is a warning. */
    level: "mandatory" | "advisory";
    /** URN of the resource in violation; absent when the whole stack is. */
    resource?: string;
    /** The resource's name (the last part of its URN), or "stack" when the whole stack is in violation. */
    resourceName: string;
    /** The resource's type name, the last part of its type token (`DockerNetworkDisconnect`), or "" for the stack. */
    resourceType: string;
    /** The policy pack, e.g. `faultline-guardrails`. */
    pack: string;
    /** The policy's one-line description: the rule. */
    description: string;
    /** What is wrong, as the policy wrote it. */
    message: string;
    /** How to fix it: the policy's remediation steps ("" when it has none). */
    fix: string;
}

/** Each policy's remediation steps, by name, from the pack itself (the pack imports nothing of ours). */
const FIXES = new Map(policies.map((p) => [p.name, p.remediationSteps ?? ""]));

/** One policy event of the engine as a {@link PolicyViolation}. */
export function policyViolation(p: PolicyEvent): PolicyViolation {
    // The engine sends "<policy description>\n<violation message>\n".
    const [description = "", ...rest] = p.message.trimEnd().split("\n");
    const urn = p.resourceUrn ?? "";
    const parts = urn.split("::");
    return {
        policy: p.policyName,
        level: p.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
        ...(urn ? { resource: urn } : {}),
        resourceName: urn ? parts.at(-1)! : "stack",
        // `pulumi-nodejs:dynamic/faultline:DockerNetworkDisconnect` (a dynamic resource) reads as its last part.
        resourceType: urn ? (parts.at(-2) ?? "").split("$").at(-1)!.split(":").at(-1)! : "",
        pack: p.policyPackName,
        description,
        message: rest.join(" ").trim() || description,
        fix: FIXES.get(p.policyName) ?? "",
    };
}

/** An engine-event listener that appends every policy violation to `into`, then calls `next`. */
export function collectViolations(into: PolicyViolation[], next?: (e: EngineEvent) => void): (e: EngineEvent) => void {
    return (e) => {
        if (e.policyEvent) into.push(policyViolation(e.policyEvent));
        next?.(e);
    };
}

/** A violation in one line, the way `plan` and `run` print it: level, policy, resource (name and type), message, fix. */
export function formatViolation(v: PolicyViolation): string {
    const where = v.resource ? `${v.resourceName} (${v.resourceType})` : "the stack";
    const stop = /[.!?]$/.test(v.message) ? "" : ".";
    return `[${v.level}] ${v.policy} on ${where}: ${v.message}${stop}${v.fix ? ` Fix: ${v.fix}` : ""}`;
}

/** What {@link previewWithPolicies} returns. */
export interface PolicyPreview {
    /** False when a mandatory policy failed: the experiment must not be injected. */
    passed: boolean;
    violations: PolicyViolation[];
    /** The preview itself (absent when the engine stopped on a mandatory violation). */
    preview?: PreviewResult;
    /** What the engine printed, including its "Policies:" section. */
    stdout: string;
}

/**
 * Runs `pulumi preview --policy-pack <POLICY_PACK_DIR>` on `stack` and collects the policy results from the engine's
 * events. A mandatory violation makes the engine fail the preview; that is reported as `passed: false`, not thrown.
 * Any other failure (a program error, a bad spec) is thrown as the Automation API's error.
 */
export async function previewWithPolicies(stack: Stack, opts: PreviewOptions = {}): Promise<PolicyPreview> {
    const violations: PolicyViolation[] = [];
    const onEvent = collectViolations(violations, opts.onEvent);
    // The Automation API keeps a failed command's output private; onOutput sees it either way.
    let stdout = "";
    const onOutput = (out: string) => {
        stdout += out;
        opts.onOutput?.(out);
    };
    const policyPacks = [POLICY_PACK_DIR, ...(opts.policyPacks ?? [])];
    try {
        const preview = await stack.preview({ diff: true, ...opts, policyPacks, onEvent, onOutput });
        return { passed: !violations.some((v) => v.level === "mandatory"), violations, preview, stdout };
    } catch (err) {
        if (!violations.some((v) => v.level === "mandatory")) throw err;
        return { passed: false, violations, stdout };
    }
}
