// Where faultline's modules are, in a way that does not depend on where faultline is installed. Pulumi state holds
// the modules a dynamic provider loads (a fault's driver, the reaper host, the halt lever); it stores them as
// location-free specifiers (`faultline:components/docker/faults/containerPause`), which loadModule
// (core/providerStub.ts) resolves in the provider's own process, so a stack that is up survives moving,
// reinstalling or upgrading faultline.
import * as os from "node:os";
import * as path from "node:path";

/**
 * The package root: this repository when run from source (components/core/ is two levels down), the package root
 * when run from dist/ (three levels down), in this repository or in a user's node_modules/faultline.
 */
export const PACKAGE_ROOT = path.resolve(__dirname, __filename.endsWith(".ts") ? "../.." : "../../..");

/** The shared cache of built tools, the environment file and reaper bundles (scripts/lib.sh FAULTLINE_CACHE). */
export const CACHE_DIR = process.env.FAULTLINE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "faultline");

/** The prefix of a location-free module specifier. */
export const SPECIFIER_PREFIX = "faultline:";

/**
 * The location-free specifier of a module file of this package: `faultline:<path from the package root, without
 * dist/ and extension>`. A module outside the package (a user's own driver) keeps its absolute path.
 */
export function moduleSpecifier(file: string): string {
    const rel = path.relative(PACKAGE_ROOT, file);
    if (rel.startsWith("..") || path.isAbsolute(rel)) return file;
    const parts = rel.replace(/\.(ts|js)$/, "").split(path.sep);
    if (parts[0] === "dist") parts.shift();
    return `${SPECIFIER_PREFIX}${parts.join("/")}`;
}
