// What the CLI reads from disk before anything runs: an experiment file (--experiment, YAML or JSON) and the stack's
// own file (stacks/Pulumi.<stack>.yaml). Every problem is one line naming the file and, for a syntax error, the
// line and column, never the Automation API's stack trace.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { PROJECT_ROOT } from "./env";
import { RunnerError } from "./errors";

/** Where stack files live (Pulumi.yaml's stackConfigDir). */
export const STACKS_DIR = path.join(PROJECT_ROOT, "stacks");

/** The file of stack `stack`: its config, with its experiment (stacks/Pulumi.<stack>.yaml). */
export function stackFile(stack: string): string {
    return path.join(STACKS_DIR, `Pulumi.${stack}.yaml`);
}

/** The config key that holds a stack's experiment. */
const EXPERIMENT_KEY = "faultline:experiment";

/** A JSON syntax error's line and column, from the position Node's message gives (or its own line/column). */
function jsonPosition(text: string, message: string): { line: number; col: number } | undefined {
    const lc = /line (\d+) column (\d+)/.exec(message);
    if (lc) return { line: Number(lc[1]), col: Number(lc[2]) };
    const pos = /position (\d+)/.exec(message);
    if (!pos) return undefined;
    const before = text.slice(0, Number(pos[1])).split("\n");
    return { line: before.length, col: before.at(-1)!.length + 1 };
}

/** Parses YAML or JSON text; a syntax error becomes one line: `<file>:<line>:<col>: invalid YAML|JSON: <what>`. */
export function parseDataFile(file: string, text: string): unknown {
    if (file.endsWith(".json")) {
        try {
            return JSON.parse(text);
        } catch (err) {
            const message = (err as Error).message;
            // Node 20 names no position for some errors; YAML's parser (JSON is YAML) finds the line.
            const at = jsonPosition(text, message) ?? parseDocument(text).errors[0]?.linePos?.[0];
            throw new RunnerError(`${file}${at ? `:${at.line}:${at.col}` : ""}: invalid JSON: ${message.split("\n")[0]}`);
        }
    }
    const doc = parseDocument(text, { prettyErrors: true });
    const err = doc.errors[0];
    if (err) {
        const at = err.linePos?.[0];
        throw new RunnerError(`${file}${at ? `:${at.line}:${at.col}` : ""}: invalid YAML: ${err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`);
    }
    return doc.toJS();
}

/** Reads a file the user named, or says in one line that it is not there. */
function readUserFile(file: string, what: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new RunnerError(`${what} ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a file" : (err as Error).message}`);
    }
}

/**
 * The experiment in a file given with --experiment: YAML or JSON (by extension: .json is JSON, anything else YAML,
 * which also reads JSON). The file may hold the experiment itself, or a whole stack file with the experiment under
 * `config: faultline:experiment`.
 */
export function readExperimentFile(file: string): unknown {
    const data = parseDataFile(file, readUserFile(file, "--experiment"));
    const config = (data as { config?: Record<string, unknown> } | null)?.config;
    return config && EXPERIMENT_KEY in config ? config[EXPERIMENT_KEY] : data;
}

/** Says in one line that a path given to `report` is not there. */
export function requirePath(p: string): void {
    if (!fs.existsSync(p)) throw new RunnerError(`${p}: no such file or directory; give evidence.json files or directories of runs (e.g. .faultline/runs)`);
}

/** The names of the stacks that have a file in stacks/. */
export function knownStacks(): string[] {
    if (!fs.existsSync(STACKS_DIR)) return [];
    return fs.readdirSync(STACKS_DIR).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort();
}

/** Edit distance between two short names, for "did you mean". */
function distance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = row;
    }
    return prev[b.length]!;
}

/**
 * Checks a stack before `plan` or `run` opens it, so that nothing is created by a typo: its file must exist (unless
 * an experiment file is given: then the stack may be new) and be valid YAML. Throws one line naming the file.
 */
export function checkStack(stack: string, hasExperimentFile: boolean): void {
    const file = stackFile(stack);
    const rel = path.relative(process.cwd(), file) || file;
    if (fs.existsSync(file)) {
        parseDataFile(rel, fs.readFileSync(file, "utf8"));
        return;
    }
    if (hasExperimentFile) return;
    const known = knownStacks();
    const near = known.filter((k) => distance(k, stack) <= Math.max(2, Math.floor(stack.length / 4))).sort((x, y) => distance(x, stack) - distance(y, stack));
    throw new RunnerError(
        `stack "${stack}" does not exist: there is no ${rel}${near.length ? `; did you mean "${near[0]}"?` : "."} ` +
            `Known stacks: ${known.join(", ") || "(none)"}. To run an experiment file on a new stack, add --experiment <file>`,
    );
}
