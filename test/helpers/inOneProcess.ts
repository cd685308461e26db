// Runs many test files in one Node.js process, where `node --test` would give each file a process of its own.
// Loading TypeScript, zod and @pulumi/pulumi once instead of once per file is most of the unit tier's CPU time
// (about 12 s of CPU for all *.unit files in one process, against about 55 s one process each).
// The files come from FAULTLINE_TEST_FILES (one path a line, relative to the project root): scripts/test.sh sets it.
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const files = (process.env.FAULTLINE_TEST_FILES ?? "").split("\n").filter(Boolean);
if (files.length === 0) throw new Error("FAULTLINE_TEST_FILES is empty: run the unit tier with `npm run test:unit`");

void (async () => {
    // One after the other: each file registers its suites as it loads, and node:test runs them in that order.
    for (const f of files) await import(path.resolve(ROOT, f));
})().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
