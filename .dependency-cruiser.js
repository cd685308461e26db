// The layers of docs/architecture.md, as rules: arrows point down only.
//   spec/ ← components/ ← stacks/, runner/ ← testing/;  policies/ import spec/ only;  nothing in components/ imports
//   runner/ (so no fault kind does).
// Checked by test/architecture/layers.unit.test.ts; `npm run check:layers` prints the same report.
/** The layers above `spec/`: spec imports none of them. */
const ABOVE_SPEC = "^(components|stacks|runner|testing|policies)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
    forbidden: [
        {
            name: "spec-imports-nothing-above",
            comment: "spec/ is the contract at the bottom: pure zod, importing nothing else of ours",
            severity: "error",
            from: { path: "^spec/" },
            to: { path: ABOVE_SPEC },
        },
        {
            name: "components-not-upward",
            comment: "components/ (fault kinds, drivers, reapers) import spec/ and each other only: never the runner, the program, the policies or testing",
            severity: "error",
            from: { path: "^components/" },
            to: { path: "^(runner|stacks|testing|policies)/" },
        },
        {
            name: "stacks-not-runner",
            comment: "stacks/ (the Pulumi program) imports components/ and spec/ only",
            severity: "error",
            from: { path: "^stacks/" },
            to: { path: "^(runner|testing|policies)/" },
        },
        {
            name: "runner-not-testing",
            comment: "runner/ is below testing/: testing's helpers use the runner, not the other way",
            severity: "error",
            from: { path: "^runner/" },
            to: { path: "^testing/" },
        },
        {
            name: "policies-spec-only",
            comment: "the policy pack is installed on its own (its own package.json): of ours it imports spec/ only",
            severity: "error",
            from: { path: "^policies/" },
            to: { path: "^(components|stacks|runner|testing)/" },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "(^|/)node_modules/|^dist/|\\.d\\.ts$" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        moduleSystems: ["cjs", "es6"],
    },
};
