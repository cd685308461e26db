// `faultline init`: makes the working directory a faultline project of its own (the user's, outside this
// repository): a Pulumi.yaml whose program is faultline's compiled program from node_modules, a first experiment
// for one of the user's containers, the local state folder and .gitignore lines. It never overwrites a file.
import * as fs from "node:fs";
import * as path from "node:path";
import { INSTALL_ROOT } from "./env";
import { RunnerError } from "./errors";

/** Options of {@link initProject}. */
export interface InitOptions {
    /** The project directory (default: the working directory). */
    dir?: string;
    /** The container the first experiment pauses. Defaults to "my-service". */
    container?: string;
    /** The Pulumi project name. Defaults to the directory's name, made a valid name. */
    name?: string;
}

/** What {@link initProject} did: each file it wrote, and each it left alone because it was already there. */
export interface InitResult {
    written: string[];
    kept: string[];
}

/** The lines `faultline init` adds to .gitignore: local state, runs, locks and the environment file stay local. */
export const GITIGNORE_LINES = [".faultline/", "node_modules/"];

/** The directory's name as a Pulumi project name (letters, digits, `-`, `_`, `.`). */
function projectName(dir: string): string {
    return path.basename(dir).replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[-.]+/, "") || "chaos";
}

/** Pulumi.yaml: faultline's program, compiled, from where npm installed it (a path relative to the project). */
function pulumiYaml(name: string, dir: string): string {
    const program = path.relative(dir, path.join(INSTALL_ROOT, "bin", "pulumi-program.js")).split(path.sep).join("/");
    return [
        `name: ${name}`,
        "description: Chaos experiments with faultline. Each stack is one experiment (stacks/Pulumi.<stack>.yaml or --experiment <file>).",
        "runtime:",
        "  name: nodejs",
        "  options:",
        "    typescript: false",
        `main: ${program}`,
        "stackConfigDir: stacks",
        "",
    ].join("\n");
}

/** The first experiment: pause one container of the user's for 10 s, with its health probed before, during and after. */
function firstExperiment(container: string, dir: string): string {
    const schema = path.relative(dir, path.join(INSTALL_ROOT, "schema", "experiment.schema.json")).split(path.sep).join("/");
    return `# yaml-language-server: $schema=${schema}
# A first experiment: pause the container "${container}" for 10 s (docker pause; unpaused by rollback, or by the
# reaper at the TTL even if every faultline process dies). Label the container first:
#   docker run --label chaos.opt-in=true ...      (compose: labels: { chaos.opt-in: "true" })
#   npx faultline plan first --experiment experiments/first.yaml
#   npx faultline run first --experiment experiments/first.yaml
name: first
description: ${container} is paused; it must be running again after the rollback.
hypothesis:
  text: ${container} is running again after the pause is rolled back
  probes:
    - name: ${container}-up
      kind: container-health
      container: ${container}
stopConditions:
  - metric: probe
    probe: ${container}-up
    samples: 20
blastRadius:
  maxTargets: 1
  description: the ${container} container only
timing:
  warmup: 2s
  duration: 10s
  cooldown: 2s
  ttl: 5m
faults:
  - name: pause
    kind: docker:container-pause
    target:
      name: ${container}
`;
}

/** Writes `file` unless it exists; records which. */
function writeNew(file: string, text: string, result: InitResult): void {
    if (fs.existsSync(file)) {
        result.kept.push(file);
        return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    result.written.push(file);
}

/** Scaffolds a faultline project in `opts.dir` (see the module comment). */
export function initProject(opts: InitOptions = {}): InitResult {
    const dir = path.resolve(opts.dir ?? process.cwd());
    const container = opts.container ?? "my-service";
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(container)) throw new RunnerError(`--container "${container}": not a Docker container name (letters, digits, _ . -)`);
    const result: InitResult = { written: [], kept: [] };
    writeNew(path.join(dir, "Pulumi.yaml"), pulumiYaml(opts.name ?? projectName(dir), dir), result);
    writeNew(path.join(dir, "experiments", "first.yaml"), firstExperiment(container, dir), result);
    fs.mkdirSync(path.join(dir, "stacks"), { recursive: true });
    fs.mkdirSync(path.join(dir, ".faultline", "state"), { recursive: true });
    const ignore = path.join(dir, ".gitignore");
    const have = fs.existsSync(ignore) ? fs.readFileSync(ignore, "utf8") : "";
    const missing = GITIGNORE_LINES.filter((l) => !have.split("\n").includes(l));
    if (missing.length > 0) {
        fs.writeFileSync(ignore, `${have}${have && !have.endsWith("\n") ? "\n" : ""}${missing.join("\n")}\n`);
        result.written.push(ignore);
    }
    return result;
}
