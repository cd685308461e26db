// The build: every TypeScript source of the package, transpiled file by file with esbuild into dist/ (same layout,
// CommonJS), plus the policy pack's own two files and the reapers' bundled programs (dist/bundles/). Plain
// JavaScript on purpose: Pulumi's program shim (bin/pulumi-program.js) and bin/faultline call it before anything is
// compiled, with production dependencies only.
// Type-checking is not done here: it is `npm run typecheck`, the tests and CI. Declarations (.d.ts) come from
// `tsc -p tsconfig.build.json` at prepack.
//   node scripts/build.js          rebuilds what is stale and prints how many files and how long
//   node scripts/build.js --clean  recompiles every source (prepack)
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** The package root: this repository, or node_modules/faultline in a user's project (which ships no sources). */
const ROOT = path.resolve(__dirname, "..");
/** Where the compiled files go. */
const DIST = path.join(ROOT, "dist");
/** The source folders that are compiled (a missing one, such as testing/ before it exists, is skipped). */
const SOURCE_DIRS = ["spec", "components", "runner", "stacks", "policies", "testing"];

/** Every .ts source under the source folders, except declarations and node_modules. */
function sources() {
    const out = [];
    const walk = (dir) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            if (entry.name === "node_modules") continue;
            const p = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(p);
            else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(p);
        }
    };
    for (const d of SOURCE_DIRS) if (fs.existsSync(path.join(ROOT, d))) walk(path.join(ROOT, d));
    return out;
}

/** The compiled file of a source: dist/<same path>.js. */
function outputOf(source) {
    return path.join(DIST, path.relative(ROOT, source)).replace(/\.ts$/, ".js");
}

/** Sources whose output is missing or older than they are. */
function staleSources(all) {
    return all.filter((src) => {
        try {
            return fs.statSync(src).mtimeMs > fs.statSync(outputOf(src)).mtimeMs;
        } catch {
            return true;
        }
    });
}

/**
 * Removes outputs (.js, .js.map, .d.ts) whose source is gone, so a deleted module is neither loaded nor shipped.
 * Done in place rather than by emptying dist/, which a Pulumi program running at the same time reads from.
 */
function pruneOrphans(all) {
    const live = new Set(all.map((src) => path.relative(ROOT, src).replace(/\.ts$/, "")));
    const walk = (dir) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(p);
            else {
                const base = /^(.*)\.(js|js\.map|d\.ts)$/.exec(path.relative(DIST, p))?.[1];
                if (base !== undefined && !live.has(base)) fs.rmSync(p);
            }
        }
    };
    for (const d of SOURCE_DIRS) if (fs.existsSync(path.join(DIST, d))) walk(path.join(DIST, d));
}

/**
 * The policy pack as Pulumi loads it from dist/policies: its manifest with the compiled entry and no TypeScript
 * (Pulumi's pack runner type-checks a .ts pack with ts-node whatever PULUMI_NODEJS_TRANSPILE_ONLY says, 1.5 s),
 * and the package.json @pulumi/policy reads the pack's name and version from. Its dependencies resolve from the
 * package's own node_modules, so the pack needs no `npm install` of its own.
 */
function writePolicyPack() {
    const dir = path.join(DIST, "policies");
    fs.mkdirSync(dir, { recursive: true });
    const own = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const manifest = "description: faultline guardrails, checked before any fault is injected.\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n";
    const pkg = JSON.stringify({ name: "faultline-policies", version: own.version, private: true, main: "index.js" }, null, 2) + "\n";
    writeIfChanged(path.join(dir, "PulumiPolicy.yaml"), manifest);
    writeIfChanged(path.join(dir, "package.json"), pkg);
}

/** Writes a file only when its text differs, so mtimes (and Pulumi's view of the pack) stay put. */
function writeIfChanged(file, text) {
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return;
    fs.writeFileSync(file, text);
}

/**
 * Compiles the sources that are newer than their output (all of them with `clean`). In an installed package there
 * are no sources, so this only checks that dist/ is there. Returns how many files were compiled.
 */
function buildIfStale(opts = {}) {
    const all = sources();
    if (all.length === 0) {
        if (!fs.existsSync(path.join(DIST, "runner", "cli.js"))) throw new Error(`${DIST} is missing and there are no sources to build it from`);
        return 0;
    }
    pruneOrphans(all);
    const stale = opts.clean ? all : staleSources(all);
    if (stale.length > 0) {
        // esbuild is loaded only when there is work: the common case (nothing stale) costs a few stat calls.
        require("esbuild").buildSync({
            entryPoints: stale,
            outdir: DIST,
            outbase: ROOT,
            format: "cjs",
            platform: "node",
            target: "node20",
            sourcemap: true,
            logLevel: "error",
        });
    }
    if (all.some((s) => s.startsWith(path.join(ROOT, "policies") + path.sep))) writePolicyPack();
    writeReaperBundles(opts.clean);
    return stale.length;
}

/**
 * The reapers' programs, bundled from the sources into dist/bundles/ (components/core/bundle.ts): esbuild tree-shakes
 * the TypeScript sources, so the Docker reaper is 1.2 MB where a bundle of dist/ is 9.4 MB, and processes that run
 * dist/ read it instead of bundling. Rebuilt, in about 1 s, when a file it is made from (bundle.ts bundledCodeFiles:
 * the sources under components/ and spec/, the package files npm rewrites) is newer than it.
 */
function writeReaperBundles(clean) {
    const { REAPER_BUNDLES, bundledCodeFiles, prebuiltBundlePath, reaperBuildOptions } = require(path.join(DIST, "components", "core", "bundle.js"));
    const newest = Math.max(...bundledCodeFiles(true).map((f) => fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0));
    for (const b of Object.values(REAPER_BUNDLES)) {
        const file = prebuiltBundlePath(b);
        if (!clean && (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= newest) continue;
        const out = require("esbuild").buildSync(reaperBuildOptions(b, true)).outputFiles[0].contents;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // Written aside and renamed: a provider reading it meanwhile gets the old bundle or the new one, whole.
        fs.writeFileSync(`${file}.${process.pid}.tmp`, out);
        fs.renameSync(`${file}.${process.pid}.tmp`, file);
    }
}

module.exports = { buildIfStale, DIST, ROOT };

if (require.main === module) {
    const started = process.hrtime.bigint();
    const n = buildIfStale({ clean: process.argv.includes("--clean") });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`faultline build: ${n} file${n === 1 ? "" : "s"} compiled into dist/ in ${ms.toFixed(0)} ms`);
}
