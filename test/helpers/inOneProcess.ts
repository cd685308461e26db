// Runs many test files in one Node.js process, where `node --test` would give each file a process of its own.
// Loading TypeScript, zod and @pulumi/pulumi once instead of once per file is most of the unit tier's CPU time
// (about 12 s of CPU for all *.unit files in one process, against about 55 s one process each).
// The files come from FAULTLINE_TEST_FILES (one path a line, relative to the project root): scripts/test.sh sets it.
// FAULTLINE_TEST_SHARD ("k/n", e.g. "1/2") keeps every n-th file from the k-th: scripts/test.sh runs the files in a
// few such processes side by side, because a file runs its suites one after the other and several of them mostly
// wait (a local server's answer, a child process), which one process alone would add up.
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** The files of shard `spec` ("k/n", 1-based) of `all`: every n-th from the k-th; all of them without a spec. */
function shardOf(all: readonly string[], spec: string | undefined): string[] {
    if (!spec) return [...all];
    const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
    const k = Number(m?.[1]);
    const n = Number(m?.[2]);
    if (!m || n < 1 || k < 1 || k > n) throw new Error(`FAULTLINE_TEST_SHARD: "${spec}" is not k/n with 1 <= k <= n; e.g. 1/2`);
    return all.filter((_, i) => i % n === k - 1);
}

const files = shardOf((process.env.FAULTLINE_TEST_FILES ?? "").split("\n").filter(Boolean), process.env.FAULTLINE_TEST_SHARD);
if (files.length === 0) throw new Error("FAULTLINE_TEST_FILES is empty: run the unit tier with `npm run test:unit`");

void (async () => {
    // One after the other: each file registers its suites as it loads, and node:test runs them in that order.
    for (const f of files) await import(path.resolve(ROOT, f));
})().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
