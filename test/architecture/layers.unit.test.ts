// Unit test: the layers of docs/architecture.md hold (spec/ at the bottom imports nothing of ours above it; nothing in
// components/, so no fault kind, imports runner/; policies/ import spec/ only). The rules are .dependency-cruiser.js,
// run with dependency-cruiser over the source folders: the same report as `npm run check:layers`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

const root = path.join(__dirname, "..", "..");
const LAYERS = ["spec", "components", "stacks", "runner", "policies", "testing"];

/** dependency-cruiser's JSON result over every layer, with the project's rules. */
function cruise() {
    const bin = path.join(root, "node_modules", ".bin", "depcruise");
    const r = spawnSync(bin, ["--config", ".dependency-cruiser.js", "--output-type", "json", ...LAYERS], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
    assert.ok(r.stdout, `depcruise printed nothing (exit ${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as {
        modules: { source: string }[];
        summary: { violations: { rule: { name: string }; from: string; to: string }[]; ruleSetUsed: { forbidden: { name: string; from: { path: string } }[] } };
    };
}

describe("layers (.dependency-cruiser.js)", () => {
    const result = cruise();

    it("no import breaks a layer rule", () => {
        const broken = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
        assert.deepEqual(broken, []);
    });

    // A rule whose `from` matches no file checks nothing (a renamed folder, a typo): each must cover some module.
    it("every rule applies to files that exist, and every layer is cruised", () => {
        const sources = result.modules.map((m) => m.source);
        for (const rule of result.summary.ruleSetUsed.forbidden) {
            assert.ok(sources.some((s) => new RegExp(rule.from.path).test(s)), `rule ${rule.name}: no module matches ${rule.from.path}`);
        }
        for (const layer of LAYERS) assert.ok(sources.some((s) => s.startsWith(`${layer}/`)), `no module of ${layer}/ was cruised`);
    });
});
