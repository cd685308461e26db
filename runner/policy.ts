import * as path from "node:path";
import type { EngineEvent, PreviewOptions, PreviewResult, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "./env";

/**
 * Absolute path of the faultline policy pack. `plan` and `run` always pass it to the engine, as
 * `pulumi preview --policy-pack <POLICY_PACK_DIR>` does on the command line (docs/guardrails.md).
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
    /** The policy's one-line description: the rule. */
    description: string;
    /** What is wrong and how to fix it, as the policy wrote it. */
    message: string;
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
    const onEvent = (e: EngineEvent) => {
        const p = e.policyEvent;
        if (p) {
            // The engine sends "<policy description>\n<violation message>\n".
            const [description = "", ...rest] = p.message.trimEnd().split("\n");
            violations.push({
                policy: p.policyName,
                level: p.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
                ...(p.resourceUrn ? { resource: p.resourceUrn } : {}),
                description,
                message: rest.join("\n"),
            });
        }
        opts.onEvent?.(e);
    };
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
