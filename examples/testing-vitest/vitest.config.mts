// vitest in Node (no DOM), in forked workers: the test talks to a real Docker engine.
//
// In this repository the test imports faultline's TypeScript sources, which resolve their own modules by path
// (require.resolve) the way the compiled package does; vite's transform cannot, so those sources are left to Node,
// with tsx loaded in the worker. In your own project, faultline comes compiled from node_modules and none of this is
// needed: `test: { environment: "node" }` is enough.
import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        environment: "node",
        pool: "forks",
        execArgv: ["--import", "tsx"],
        server: { deps: { external: [/\/(testing|components|runner|spec|policies)\//] } },
    },
});
