// Where a verdict came from: which faultline (version and commit), which Pulumi CLI, which stack and host, and the
// experiment exactly as it ran (parsed, defaults filled in, redacted). A reader of old evidence can tell what
// produced it and run the same thing again.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { INSTALL_ROOT, PROJECT_ROOT } from "../env";
import { redactDeep } from "../redact";
import type { Evidence } from "./schema";

/** The provenance block of the evidence. */
export type Provenance = Evidence["provenance"];

/** faultline's version, from its package.json. */
export function faultlineVersion(): string {
    return (JSON.parse(fs.readFileSync(path.join(INSTALL_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** The commit of the checkout that ran, with "-dirty" when it has uncommitted changes; null outside git. */
export function faultlineCommit(): string | null {
    try {
        const git = (args: string[]) => execFileSync("git", args, { cwd: PROJECT_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 }).trim();
        const commit = git(["rev-parse", "HEAD"]);
        return git(["status", "--porcelain", "--untracked-files=no"]) ? `${commit}-dirty` : commit;
    } catch {
        return null;
    }
}

/** The provenance of a run of `experiment` on `stack`; the Pulumi CLI's version is null when it cannot be asked. */
export function provenanceOf(stackName: string, experiment: unknown, pulumiCliVersion: string | null, secrets: readonly string[] = []): Provenance {
    return {
        faultline_version: faultlineVersion(),
        faultline_commit: faultlineCommit(),
        pulumi_cli_version: pulumiCliVersion,
        node_version: process.version,
        stack: stackName,
        host: { name: os.hostname(), platform: `${os.platform()} ${os.release()}`, arch: os.arch() },
        experiment: redactDeep(experiment, secrets) as Record<string, unknown>,
    };
}

/** {@link provenanceOf} for an open stack: its workspace knows the Pulumi CLI's version. */
export function stackProvenance(stack: Stack, experiment: unknown, secrets: readonly string[] = []): Provenance {
    let version: string | null = null;
    try {
        version = (stack.workspace as { pulumiVersion?: string }).pulumiVersion ?? null;
    } catch {
        version = null;
    }
    return provenanceOf(stack.name, experiment, version, secrets);
}
