// Unit test: scripts/pulumi-language-nodejs/lazy-load.js, the preload of the Node.js processes Pulumi starts. Loading
// @pulumi/pulumi under it leaves out what those processes never use, and each left-out module still loads, whole, at
// its first use. Each case is a fresh `node` (a module cache of its own), with and without the preload.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { LAZY_LOAD } from "../../runner/env";

const ROOT = path.join(__dirname, "..", "..");

/** What `script` prints in a fresh node, with the preload or without; the caller's NODE_OPTIONS are not passed on. */
function node(script: string, preload: boolean): unknown {
    const args = [...(preload ? ["--require", LAZY_LOAD] : []), "-e", script];
    const env = { ...process.env, NODE_OPTIONS: "" };
    return JSON.parse(execFileSync(process.execPath, args, { cwd: ROOT, env, encoding: "utf8" }));
}

/**
 * Loads @pulumi/pulumi and prints which heavy modules that loaded; then uses the Automation API through the SDK's
 * index and through its own path, and prints what that loaded and whether what it got was the real module.
 */
const SCRIPT = `
const loaded = () => ["automation/index.js", "@npmcli/arborist/", "typescript/lib/typescript.js"].filter((part) => Object.keys(require.cache).some((f) => f.includes(part)));
const pulumi = require("@pulumi/pulumi");
const atLoad = loaded();
const viaIndex = typeof pulumi.automation.LocalWorkspace.create;
const direct = require("@pulumi/pulumi/automation");
console.log(JSON.stringify({ atLoad, afterUse: loaded(), viaIndex, directIsReal: !require("node:util").types.isProxy(direct) && typeof direct.Stack === "function" }));`;

describe("lazy-load.js: the preload of Pulumi's Node.js processes", () => {
    it("loading @pulumi/pulumi leaves out the Automation API, arborist and TypeScript; the API loads whole at its first use", () => {
        assert.deepEqual(node(SCRIPT, true), { atLoad: [], afterUse: ["automation/index.js"], viaIndex: "function", directIsReal: true });
    });

    it("without it, loading @pulumi/pulumi loads all three (what the preload saves)", () => {
        const without = node(SCRIPT, false) as { atLoad: string[] };
        assert.deepEqual(without.atLoad, ["automation/index.js", "@npmcli/arborist/", "typescript/lib/typescript.js"]);
    });
});
