// jest runs TypeScript through ts-jest; transpile-only (isolatedModules), as the repository's tsc checks the types.
// Some of faultline's dependencies ship only as ES modules (p-retry and is-network-error; d3-scale, d3-shape and
// theirs, for the reports withExperiment writes), which jest cannot require before Node 24.9: they are transformed to
// CommonJS too (allowJs), as jest's docs advise for such packages.
/** @type {import("jest").Config} */
module.exports = {
    rootDir: __dirname,
    testEnvironment: "node",
    transform: { "^.+\\.m?[tj]s$": ["ts-jest", { tsconfig: { isolatedModules: true, allowJs: true, module: "commonjs", target: "ES2022", esModuleInterop: true } }] },
    transformIgnorePatterns: ["/node_modules/(?!(p-retry|is-network-error|d3-[a-z-]+|internmap)/)"],
};
