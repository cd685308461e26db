// The layers of docs/architecture.md, as rules: arrows point down only.
//   spec/ ← components/ ← stacks/, runner/ ← testing/;  policies/ import spec/ only;  nothing in components/ imports
//   runner/ (so no fault kind does).
// Checked by test/architecture/layers.unit.test.ts; `npm run check:layers` prints the same report.

/** One layer rule: no module whose path matches `from` may import one whose path matches `to`. */
const layer = (name, comment, from, to) => ({ name, comment, severity: "error", from: { path: from }, to: { path: to } });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
    forbidden: [
        layer("spec-imports-nothing-above", "spec/ is the contract at the bottom: pure zod, importing nothing else of ours", "^spec/", "^(components|stacks|runner|testing|policies)/"),
        layer(
            "components-not-upward",
            "components/ (fault kinds, drivers, reapers) import spec/ and each other only: never the runner, the program, the policies or testing",
            "^components/",
            "^(runner|stacks|testing|policies)/",
        ),
        layer("stacks-not-runner", "stacks/ (the Pulumi program) imports components/ and spec/ only", "^stacks/", "^(runner|testing|policies)/"),
        layer("runner-not-testing", "runner/ is below testing/: testing's helpers use the runner, not the other way", "^runner/", "^testing/"),
        layer(
            "policies-spec-only",
            "the policy pack is installed on its own (its own package.json): of ours it imports spec/ only",
            "^policies/",
            "^(components|stacks|runner|testing)/",
        ),
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "(^|/)node_modules/|^dist/|\\.d\\.ts$" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        moduleSystems: ["cjs", "es6"],
    },
};
