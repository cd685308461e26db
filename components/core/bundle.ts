import type { BuildOptions } from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CACHE_DIR, PACKAGE_ROOT } from "./modules";

/** A reaper program's bundle: where its reaperMain is, what it leaves out, what it replaces with empty modules. */
export interface ReaperBundle {
    /** The bundle's name (its file: dist/bundles/<name>.js, or <name>-<key>.js in the cache). */
    name: string;
    /** The folder of its reaperMain, from the package root (its sources; dist/ mirrors it). */
    dir: string;
    /** Modules the reaper never loads at run time. */
    external: string[];
    /** Modules required at load time that a reaper never uses: replaced by an empty module. */
    empty: string[];
}

/** The reapers' bundles. */
export const REAPER_BUNDLES = {
    // The AWS SDK is only loaded lazily by the FIS driver, whose faults never have a Docker reaper. docker-modem
    // requires its SSH transport (ssh2, with a native part) at load time; a reaper only talks to the local socket.
    // dockerode requires BuildKit's session (gRPC and protobufjs: 380 KB of the bundle) at load time; a reaper builds
    // no image.
    docker: {
        name: "docker-reaper",
        dir: "components/docker/reaper",
        external: ["@aws-sdk/*"],
        empty: ["ssh2", "cpu-features", "@grpc/grpc-js", "@grpc/proto-loader"],
    },
    // kubeconfig parsing (yaml): never used in a pod, which has its service account.
    kubernetes: { name: "kubernetes-reaper", dir: "components/kubernetes/reaper", external: ["yaml"], empty: [] },
} as const satisfies Record<string, ReaperBundle>;

/** Where the build writes a bundle (scripts/build.js), outside the folders whose orphaned outputs it prunes. */
export function prebuiltBundlePath(b: ReaperBundle): string {
    return path.join(PACKAGE_ROOT, "dist", "bundles", `${b.name}.js`);
}

/**
 * How a reaper's program is bundled into one file: the reaper runs where faultline's own files are not (a container,
 * a pod), with the code this process runs, so it reverts with exactly the driver code that injected the fault.
 * `fromSource`: from the TypeScript sources, which esbuild tree-shakes (ES modules: a kind's file exports its Pulumi
 * component beside its driver, and only the driver is kept), 1.2 MB; from dist/ (CommonJS, kept whole, Pulumi's SDK,
 * the Kubernetes SDK and TypeScript with it) it is 9.4 MB, and a reaper took 0.55 s of CPU to start instead of 0.17 s.
 */
export function reaperBuildOptions(b: ReaperBundle, fromSource: boolean): BuildOptions & { write: false } {
    const root = fromSource ? PACKAGE_ROOT : path.join(PACKAGE_ROOT, "dist");
    const ext = fromSource ? ".ts" : ".js";
    const empty = path.join(root, "components", "core", `emptyModule${ext}`);
    return {
        entryPoints: [path.join(root, b.dir, `reaperMain${ext}`)],
        bundle: true,
        platform: "node",
        target: "node18",
        format: "cjs",
        write: false,
        minify: true,
        logLevel: "silent",
        external: [...b.external],
        alias: Object.fromEntries(b.empty.map((m) => [m, empty])),
    };
}

/**
 * A reaper's bundle: in a process that runs dist/, the one the build wrote from the sources (scripts/build.js, also
 * shipped in the package); otherwise, or when it is missing, bundled from the code this process runs, through the
 * disk cache.
 */
export async function reaperBundle(b: ReaperBundle): Promise<Buffer> {
    const prebuilt = readPrebuilt(b);
    if (prebuilt) return prebuilt;
    return cachedBundle(b.name, async () => {
        const esbuild = await import("esbuild");
        return Buffer.from((await esbuild.build(reaperBuildOptions(b, __filename.endsWith(".ts")))).outputFiles[0]!.contents);
    });
}

/** {@link reaperBundle}, synchronously and without the disk cache (a Pulumi component's constructor needs it). */
export function reaperBundleSync(b: ReaperBundle): string {
    const prebuilt = readPrebuilt(b);
    if (prebuilt) return prebuilt.toString("utf8");
    const esbuild = require("esbuild") as typeof import("esbuild");
    return esbuild.buildSync(reaperBuildOptions(b, __filename.endsWith(".ts"))).outputFiles[0]!.text;
}

/** The build's bundle, when this process runs dist/ and it is there. */
function readPrebuilt(b: ReaperBundle): Buffer | undefined {
    if (__filename.endsWith(".ts")) return undefined;
    try {
        return fs.readFileSync(prebuiltBundlePath(b));
    } catch {
        return undefined;
    }
}

/**
 * A reaper bundle from the disk cache, or built by `build` and stored there: for a process that has no bundle from
 * the build (one that runs the sources, such as the tests under tsx). Bundling is 1-2 s of esbuild, and each process
 * would otherwise bundle again at its first arm. The key is the state of the bundled code ({@link bundledCodeFiles}:
 * size and mtime); any edit, build or install makes a new bundle. The few newest bundles are
 * kept (checkouts of the same machine share the cache, and would otherwise evict each other's).
 */
async function cachedBundle(name: string, build: () => Promise<Buffer>): Promise<Buffer> {
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

/**
 * The files a reaper bundle is made from: every file under components/ and spec/ (of the sources, or of dist/), and
 * the package files npm rewrites on install, at the package root and above it. The cache key below hashes them; the
 * build (scripts/build.js) rebuilds dist/bundles/ when one is newer than a bundle.
 */
export function bundledCodeFiles(fromSource: boolean): string[] {
    const code = fromSource ? PACKAGE_ROOT : path.join(PACKAGE_ROOT, "dist");
    const files = [...walk(path.join(code, "components")), ...walk(path.join(code, "spec"))];
    for (let d = PACKAGE_ROOT; ; d = path.dirname(d)) {
        files.push(path.join(d, "package.json"), path.join(d, "package-lock.json"), path.join(d, "node_modules", ".package-lock.json"));
        if (path.dirname(d) === d) break;
    }
    return files;
}

/** A hash of the bundled code's state (see {@link cachedBundle}). */
function codeStateKey(): string {
    const hash = createHash("sha256");
    for (const f of bundledCodeFiles(__filename.endsWith(".ts"))) {
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
