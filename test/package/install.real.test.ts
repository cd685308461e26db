// The acceptance test of faultline as a package (issue 12): `npm pack`, install the tarball into a fresh directory
// outside this repository, and there, as a user would: --version, init, setup, plan and run of the scaffolded
// experiment against a container this test starts (verdict and rollback seen), and a node:test file of the user's
// with withFault (faultline/testing). Then the state: `pulumi stack export`
// of a stack that is up holds no path of the installation, and the stack survives moving the whole project (and its
// node_modules/faultline) to another path: destroy from there still reverts the fault.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { PACKAGE_ROOT } from "../../components/core/modules";
import { readExperimentFile } from "../../runner/input";
import { dockerClient } from "../../components/core/docker";
import { cleanupRun, runContainer, runId, SUITE_TIMEOUT_MS } from "../helpers/docker";
import { waitFor } from "../helpers/wait";

const exec = promisify(execFile);
const VERSION = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;

/**
 * The environment of a user's shell: none of this repository's Pulumi settings (a test shell may have sourced
 * scripts/env.sh), so the installed package must find its own project, state and toolchain; not node:test's
 * NODE_TEST_CONTEXT, with which a nested `node --test` reports to this runner instead of printing its results; and
 * not the NODE_OPTIONS scripts/test.sh gives the tests, which preloads this repository's lazy-load.js (its frames,
 * outside any node_modules, would put this repository's path into the stack traces Pulumi keeps in state).
 */
function userEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(PULUMI_|FAULTLINE_|NODE_TEST_CONTEXT$|NODE_OPTIONS$)/.test(k)) env[k] = v;
    return env;
}

/** Runs a command in `cwd` as the user would; resolves with its exit code and output (never rejects on exit != 0). */
async function sh(cwd: string, file: string, args: string[], env: NodeJS.ProcessEnv = userEnv(), timeout = 600_000) {
    try {
        const r = await exec(file, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? String(err) };
    }
}

/** Whether a container is paused now. */
async function paused(name: string): Promise<boolean> {
    return (await dockerClient().getContainer(name).inspect()).State.Paused;
}

/** `pulumi` of the user's project, with the environment `faultline setup` wrote there. */
function pulumiEnv(project: string): NodeJS.ProcessEnv {
    const env = userEnv();
    for (const line of fs.readFileSync(path.join(project, ".faultline", "env"), "utf8").split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    env.PATH = `${env.FAULTLINE_PULUMI_BIN}${path.delimiter}${env.PATH}`;
    return env;
}

describe("faultline as an installed package, in a user's project outside this repository", { timeout: SUITE_TIMEOUT_MS }, () => {
    const run = runId();
    const target = `flt-pkg-${run}`;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-install-"));
    let project = path.join(scratch, `chaos-${run}`);

    before(async () => {
        assert.ok(path.relative(PACKAGE_ROOT, scratch).startsWith(".."), `${scratch} must be outside the repository`);
        const packed = await sh(PACKAGE_ROOT, "npm", ["pack", "--pack-destination", scratch, "--silent"], { ...userEnv() });
        assert.equal(packed.code, 0, packed.stderr);
        const tgz = path.join(scratch, `faultline-${VERSION}.tgz`);
        assert.ok(fs.existsSync(tgz), packed.stdout);
        fs.mkdirSync(project);
        const installed = await sh(project, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tgz]);
        assert.equal(installed.code, 0, installed.stderr);
        await runContainer({ name: target, run, cmd: ["sleep", "3600"] });
    });

    after(async () => {
        // A failed step may leave a stack up: destroy reverts its fault and retires its reaper, before the target goes.
        if (fs.existsSync(path.join(project, ".faultline", "env"))) {
            for (const stack of ["first", "moved"]) await sh(project, "pulumi", ["destroy", "--yes", "--stack", stack], pulumiEnv(project));
        }
        await cleanupRun(run);
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("ships compiled JavaScript and declarations, and no tests or TypeScript sources", () => {
        const pkg = path.join(project, "node_modules", "faultline");
        assert.ok(fs.existsSync(path.join(pkg, "dist", "components", "index.js")));
        assert.ok(fs.existsSync(path.join(pkg, "dist", "components", "index.d.ts")));
        assert.ok(fs.existsSync(path.join(pkg, "dist", "policies", "PulumiPolicy.yaml")));
        assert.equal(fs.existsSync(path.join(pkg, "test")), false);
        assert.equal(fs.existsSync(path.join(pkg, "runner")), false);
        assert.equal(fs.existsSync(path.join(pkg, "stacks")), false);
    });

    it("faultline --version needs no setup", async () => {
        const r = await sh(project, "npx", ["faultline", "--version"]);
        assert.deepEqual([r.code, r.stdout], [0, `${VERSION}\n`]);
    });

    it("a command that needs Pulumi before setup names the setup step", async () => {
        const r = await sh(project, "npx", ["faultline", "plan", "first", "--experiment", "nothing.yaml"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /Pulumi is not set up for faultline .*run `npx faultline setup`/);
    });

    it("faultline init scaffolds the project; faultline setup writes its environment", async () => {
        const r = await sh(project, "npx", ["faultline", "init", "--container", target]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.split("\n")[0], "wrote Pulumi.yaml");
        assert.match(fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8"), /^main: node_modules\/faultline\/bin\/pulumi-program\.js$/m);
        assert.match(fs.readFileSync(path.join(project, "experiments", "first.yaml"), "utf8"), /^# yaml-language-server: \$schema=node_modules\/faultline\/schema\/experiment\.schema\.json$/m);
        assert.deepEqual(fs.readFileSync(path.join(project, ".gitignore"), "utf8"), ".faultline/\nnode_modules/\n");
        assert.ok(fs.statSync(path.join(project, ".faultline", "state")).isDirectory());
        const s = await sh(project, "npx", ["faultline", "setup"]);
        assert.equal(s.code, 0, s.stderr + s.stdout);
        assert.match(fs.readFileSync(path.join(project, ".faultline", "env"), "utf8"), new RegExp(`^PULUMI_BACKEND_URL=file://${project}/\\.faultline/state$`, "m"));
    });

    it("faultline plan of the scaffolded experiment: preview and policy pass, from the project's own state", async () => {
        const r = await sh(project, "npx", ["faultline", "plan", "first", "--experiment", "experiments/first.yaml", "--json"]);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const plan = JSON.parse(r.stdout) as { policy: { passed: boolean }; blastRadius: { withinLimit: boolean } };
        assert.deepEqual([plan.policy.passed, plan.blastRadius.withinLimit], [true, true]);
        assert.ok(fs.readdirSync(path.join(project, ".faultline", "state", ".pulumi", "stacks")).length > 0);
    });

    it("faultline run: the container is paused while the fault is in, the verdict is given and the rollback unpauses it", async () => {
        const running = sh(project, "npx", ["faultline", "run", "first", "--experiment", "experiments/first.yaml", "--json", "--quiet"]);
        let seenPaused = false;
        let done = false;
        void running.then(() => (done = true));
        await waitFor("the container paused by the run", async () => (seenPaused = await paused(target)) || done, 600_000, 250);
        const r = await running;
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const summary = JSON.parse(r.stdout) as { verdict: string; rollback: string; files: { evidence: string } };
        assert.deepEqual([seenPaused, summary.verdict, summary.rollback], [true, "held", "succeeded"]);
        assert.equal(await paused(target), false);
        assert.ok(summary.files.evidence.startsWith(path.join(project, ".faultline", "runs", "first") + path.sep));
    });

    it("a node:test file of the user's imports withFault from faultline/testing: paused inside the block, reverted after", async () => {
        const file = path.join(project, "pause.test.js");
        fs.writeFileSync(
            file,
            [
                'const assert = require("node:assert/strict");',
                'const { test } = require("node:test");',
                'const { withFault } = require("faultline/testing");',
                'test("the target is paused inside the block", async () => {',
                `    const owner = { project: "pkg-install-${run}", stack: "withfault" };`,
                `    await withFault({ kind: "docker:container-pause", target: { name: "${target}" }, ttl: "2m" }, async (fault) => {`,
                "        assert.equal((await fault.observe()).active, true);",
                `        assert.deepEqual(fault.targets.map((t) => t.name), ["${target}"]);`,
                "    }, { owner });",
                "});",
                "",
            ].join("\n"),
        );
        const r = await sh(project, process.execPath, ["--test", file]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^# pass 1$/m);
        assert.equal(await paused(target), false);
    });

    it("state holds no path of the installation, and a stack that is up survives moving the project and its faultline", async () => {
        const experiment = readExperimentFile(path.join(project, "experiments", "first.yaml")) as Record<string, unknown>;
        fs.writeFileSync(path.join(project, "stacks", "Pulumi.moved.yaml"), stringify({ config: { "faultline:experiment": { ...experiment, name: "moved" } } }));
        const env = pulumiEnv(project);
        assert.equal((await sh(project, "pulumi", ["stack", "init", "moved"], env)).code, 0);
        const up = await sh(project, "pulumi", ["up", "--yes", "--stack", "moved", "--policy-pack", "node_modules/faultline/dist/policies"], env);
        assert.equal(up.code, 0, up.stderr + up.stdout);
        assert.equal(await paused(target), true);
        const state = (await sh(project, "pulumi", ["stack", "export", "--stack", "moved"], env)).stdout;
        assert.deepEqual([state.includes(project), state.includes(PACKAGE_ROOT)], [false, false]);
        assert.match(state, /faultline:components\/docker\/faults\/containerPause/);

        const moved = `${project}-moved`;
        fs.renameSync(project, moved);
        project = moved;
        assert.equal((await sh(project, "npx", ["faultline", "setup"])).code, 0);
        const destroy = await sh(project, "pulumi", ["destroy", "--yes", "--stack", "moved"], pulumiEnv(project));
        assert.equal(destroy.code, 0, destroy.stderr + destroy.stdout);
        assert.equal(await paused(target), false);
    });
});
