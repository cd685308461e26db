// Location-free module specifiers (components/core/modules.ts) and their resolution by loadModule, the project a
// command works on (runner/env.ts), and faultline init's scaffold (runner/init.ts).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { moduleSpecifier, PACKAGE_ROOT } from "../../components/core/modules";
import { findProjectRoot, INSTALL_ROOT } from "../../runner/env";
import { initProject } from "../../runner/init";

describe("moduleSpecifier", () => {
    it("names a module of the package by its path from the package root, without dist/ or extension", () => {
        assert.equal(moduleSpecifier(path.join(PACKAGE_ROOT, "components", "docker", "faults", "containerPause.ts")), "faultline:components/docker/faults/containerPause");
        assert.equal(moduleSpecifier(path.join(PACKAGE_ROOT, "dist", "components", "core", "halt.js")), "faultline:components/core/halt");
    });
    it("keeps the absolute path of a module outside the package (a user's own driver)", () => {
        assert.equal(moduleSpecifier("/srv/chaos/drivers/mine.js"), "/srv/chaos/drivers/mine.js");
    });
});

describe("loadModule", () => {
    it("resolves a specifier from the provider's working directory: a project with node_modules/faultline", () => {
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-load-"));
        try {
            const pkg = path.join(project, "node_modules", "faultline");
            fs.mkdirSync(path.join(pkg, "dist", "components"), { recursive: true });
            fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "faultline" }));
            fs.writeFileSync(path.join(pkg, "dist", "components", "probe.js"), "exports.where = __filename;");
            const script = `const { loadModule } = require(${JSON.stringify(path.join(PACKAGE_ROOT, "components", "core", "providerStub.ts"))}); console.log(loadModule("faultline:components/probe").where)`;
            const out = execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", script], { cwd: path.join(project, "node_modules"), encoding: "utf8" });
            assert.equal(out.trim(), path.join(pkg, "dist", "components", "probe.js"));
        } finally {
            fs.rmSync(project, { recursive: true, force: true });
        }
    });
});

describe("findProjectRoot", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-project-"));
    fs.mkdirSync(path.join(dir, "experiments", "deep"), { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: chaos\n");

    it("is the nearest directory with a Pulumi.yaml at or above the working directory", () => {
        assert.equal(findProjectRoot(path.join(dir, "experiments", "deep"), {}), dir);
    });
    it("is FAULTLINE_PROJECT when set, and this installation when no Pulumi.yaml is found", () => {
        assert.equal(findProjectRoot(dir, { FAULTLINE_PROJECT: "/srv/other" }), "/srv/other");
        assert.equal(findProjectRoot(path.parse(dir).root, {}), INSTALL_ROOT);
    });
});

describe("initProject", () => {
    it("scaffolds Pulumi.yaml, the first experiment, the state folder and .gitignore lines, and keeps existing files", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-init-"));
        try {
            fs.writeFileSync(path.join(dir, ".gitignore"), "dist");
            const first = initProject({ dir, container: "web", name: "chaos" });
            assert.deepEqual(first.written.map((f) => path.relative(dir, f)), ["Pulumi.yaml", path.join("experiments", "first.yaml"), ".gitignore"]);
            assert.equal(fs.readFileSync(path.join(dir, ".gitignore"), "utf8"), "dist\n.faultline/\nnode_modules/\n");
            assert.match(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"), /^name: chaos\n[^]*^    typescript: false\nmain: .*bin\/pulumi-program\.js\nstackConfigDir: stacks\n$/m);
            assert.ok(fs.statSync(path.join(dir, ".faultline", "state")).isDirectory());
            const again = initProject({ dir, container: "web" });
            assert.deepEqual([again.written, again.kept.map((f) => path.relative(dir, f))], [[], ["Pulumi.yaml", path.join("experiments", "first.yaml")]]);
            assert.throws(() => initProject({ dir, container: "no spaces" }), /--container "no spaces": not a Docker container name/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
