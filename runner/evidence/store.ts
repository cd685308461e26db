import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../env";
import { htmlMatrixPage, htmlReport, markdownMatrix, markdownReport } from "./report";
import { EvidenceSchema, type Evidence } from "./schema";
import { redactDeep } from "../redact";

/** Where runs are kept by default: .faultline/runs/<stack>/<run id>/. */
export const RUNS_DIR = path.join(PROJECT_ROOT, ".faultline", "runs");

/** Writes `content` to `file` atomically: a reader sees the old file or the new one, never half of one. */
export function writeAtomic(file: string, content: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
    const fd = fs.openSync(tmp, "w");
    try {
        fs.writeSync(fd, content);
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
}

/** The files of one run. */
export interface RunFiles {
    dir: string;
    evidence: string;
    markdown: string;
    html: string;
}

/**
 * Validates the evidence against its schema, then writes evidence.json, report.md and report.html into `dir`,
 * each atomically. Throws when the evidence does not match its own schema (a runner bug, never silent).
 */
export function writeRun(dir: string, evidence: Evidence, secrets: readonly string[] = []): RunFiles {
    // Redacted before anything is written: evidence.json and both reports are made from the same redacted copy.
    const checked = EvidenceSchema.parse(redactDeep(evidence, secrets));
    const files: RunFiles = {
        dir,
        evidence: path.join(dir, "evidence.json"),
        markdown: path.join(dir, "report.md"),
        html: path.join(dir, "report.html"),
    };
    writeAtomic(files.evidence, JSON.stringify(checked, null, 2) + "\n");
    writeAtomic(files.markdown, markdownReport(checked));
    writeAtomic(files.html, htmlReport(checked));
    return files;
}

/** Reads and validates one evidence file. */
export function readEvidence(file: string): Evidence {
    return EvidenceSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
}

/** Every evidence.json under `root` (recursively), validated; files that do not validate are reported, not hidden. */
export function findEvidence(root: string): { runs: Evidence[]; invalid: { file: string; error: string }[] } {
    const runs: Evidence[] = [];
    const invalid: { file: string; error: string }[] = [];
    const walk = (dir: string) => {
        if (!fs.existsSync(dir)) return;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(p);
            else if (entry.name === "evidence.json") {
                try {
                    runs.push(readEvidence(p));
                } catch (err) {
                    invalid.push({ file: p, error: String(err).split("\n")[0]! });
                }
            }
        }
    };
    walk(root);
    return { runs, invalid };
}

/** Writes the failure-mode matrix of `runs` as matrix.md and matrix.html into `dir`. */
export function writeMatrix(dir: string, runs: Evidence[]): { markdown: string; html: string } {
    const out = { markdown: path.join(dir, "matrix.md"), html: path.join(dir, "matrix.html") };
    writeAtomic(out.markdown, markdownMatrix(runs));
    writeAtomic(out.html, htmlMatrixPage(runs));
    return out;
}
