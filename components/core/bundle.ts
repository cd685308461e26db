import type { BuildOptions } from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CACHE_DIR, PACKAGE_ROOT } from "./modules";

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

/**
 * A reaper bundle from the disk cache, or built by `build` and stored there. Bundling is 1-2 s of esbuild (every
 * driver and its dependencies, about 9 MB), and each `pulumi` command starts a fresh provider process that bundled
 * again at its first `check`, the preview included. The key is the state of the bundled code: the size and mtime of
 * every file under the package's components/ and spec/ (dist/ or source, whichever this process runs), and of the
 * package files npm rewrites on install; any edit, build or install makes a new bundle. The few newest bundles are
 * kept (checkouts of the same machine share the cache, and would otherwise evict each other's).
 */
export async function cachedBundle(name: string, build: () => Promise<Buffer>): Promise<Buffer> {
    const dir = path.join(CACHE_DIR, "bundles");
    const file = path.join(dir, `${name}-${codeStateKey()}.js`);
    const cached = await fs.promises.readFile(file).catch(() => undefined);
    if (cached) return cached;
    const bundle = await build();
    try {
        await fs.promises.mkdir(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await fs.promises.writeFile(tmp, bundle);
        await fs.promises.rename(tmp, file);
        await keepNewest(dir, name, BUNDLES_KEPT);
    } catch {
        // A cache that cannot be written only costs the next process a bundle of its own.
    }
    return bundle;
}

/** How many bundles of one name the cache keeps. */
const BUNDLES_KEPT = 4;

/** Removes all but the `n` newest bundles called `name` in `dir`. */
async function keepNewest(dir: string, name: string, n: number): Promise<void> {
    const bundles = (await fs.promises.readdir(dir)).filter((f) => f.startsWith(`${name}-`) && f.endsWith(".js"));
    const dated = await Promise.all(bundles.map(async (f) => ({ f, at: (await fs.promises.stat(path.join(dir, f)).catch(() => undefined))?.mtimeMs ?? 0 })));
    for (const { f } of dated.sort((a, b) => b.at - a.at).slice(n)) await fs.promises.rm(path.join(dir, f), { force: true });
}

/** A hash of the bundled code's state (see {@link cachedBundle}). */
function codeStateKey(): string {
    const hash = createHash("sha256");
    const code = __filename.endsWith(".ts") ? PACKAGE_ROOT : path.join(PACKAGE_ROOT, "dist");
    const files = [...walk(path.join(code, "components")), ...walk(path.join(code, "spec"))];
    for (let d = PACKAGE_ROOT; ; d = path.dirname(d)) {
        files.push(path.join(d, "package.json"), path.join(d, "package-lock.json"), path.join(d, "node_modules", ".package-lock.json"));
        if (path.dirname(d) === d) break;
    }
    for (const f of files) {
        const st = fs.statSync(f, { throwIfNoEntry: false });
        if (st) hash.update(`${f}:${st.size}:${st.mtimeMs}\n`);
    }
    return hash.digest("hex").slice(0, 16);
}

/** Every file under `dir`, recursively (none when it does not exist). */
function walk(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    const entries = fs.readdirSync(dir, { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name));
}
