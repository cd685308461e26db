// Runs many test files in one Node.js process, where `node --test` would give each file a process of its own.
// Loading TypeScript, zod and @pulumi/pulumi once instead of once per file is most of the unit tier's CPU time
// (about 12 s of CPU for all *.unit files in one process, against about 55 s one process each).
// The files come from FAULTLINE_TEST_FILES (one path a line, relative to the project root): scripts/test.sh sets it.
// FAULTLINE_TEST_SHARD ("k/n", e.g. "1/2") keeps every n-th file from the k-th: scripts/test.sh runs the files in a
// few such processes side by side, because a file runs its suites one after the other and several of them mostly
// wait (a local server's answer, a child process), which one process alone would add up.
// Within a shard the files' suites run side by side too (FAULTLINE_UNIT_FILE_CONCURRENCY, default 8), so that one
// file's wait (a CLI child, a collector's timeout) is another file's CPU; the suites of one file still run in order.
import * as path from "node:path";
import { describe } from "node:test";

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

const concurrency = Number(process.env.FAULTLINE_UNIT_FILE_CONCURRENCY ?? 8);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`FAULTLINE_UNIT_FILE_CONCURRENCY: "${process.env.FAULTLINE_UNIT_FILE_CONCURRENCY}" must be a whole number from 1`);

// One suite per file, whose suites the file registers as it loads and which run in order, as in a process of its own;
// node:test runs that many files at once.
void describe(`unit files ${process.env.FAULTLINE_TEST_SHARD ?? ""}`.trim(), { concurrency }, () => {
    for (const f of files) {
        // concurrency 1: a suite's tests inherit its concurrency, and a file's tests run one after the other.
        void describe(f, { concurrency: 1 }, async () => {
            await import(path.resolve(ROOT, f));
        });
    }
});
