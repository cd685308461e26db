import type { BuildOptions } from "esbuild";
import * as path from "node:path";

/**
 * How a reaper's program is bundled into one file, for every target: the reaper runs where faultline's own files
 * are not (a container, a pod), with the code this process runs, so it reverts with exactly the driver code that
 * injected the fault. `dir` holds `reaperMain.ts` (from source) or `reaperMain.js` (compiled); `external` names the
 * modules the reaper never loads at run time.
 */
export function reaperBuildOptions(dir: string, external: string[]): BuildOptions & { write: false } {
    return {
        entryPoints: [path.join(dir, `reaperMain${__filename.endsWith(".ts") ? ".ts" : ".js"}`)],
        bundle: true,
        platform: "node",
        target: "node18",
        format: "cjs",
        write: false,
        minify: true,
        logLevel: "silent",
        external,
    };
}
