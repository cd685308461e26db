// jest runs TypeScript through ts-jest; transpile-only (isolatedModules), as the repository's tsc checks the types.
/** @type {import("jest").Config} */
module.exports = {
    rootDir: __dirname,
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true, module: "commonjs", target: "ES2022", esModuleInterop: true } }] },
};
