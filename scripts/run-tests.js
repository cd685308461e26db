// Runs test files with node:test, CONCURRENCY at a time, started in the order given (scripts/test.sh).
//   node --import tsx scripts/run-tests.js CONCURRENCY FILE...
// `node --test FILE...` sorts its files by name before it starts them; the engine tier needs its longest files started
// first, so that it does not end with one long file running alone on an idle machine. run() keeps the order. The
// files' processes get this process's flags (--import tsx). The report is node's own: spec on a terminal, else TAP.
// Exit code: 0 when every test passed, 1 otherwise (as `node --test`).
"use strict";
const path = require("node:path");
const { run } = require("node:test");
const { spec, tap } = require("node:test/reporters");

const [concurrencyArg, ...files] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
if (!Number.isInteger(concurrency) || concurrency < 1 || files.length === 0) {
    console.error(`usage: node --import tsx scripts/run-tests.js CONCURRENCY FILE...  (got: ${process.argv.slice(2).join(" ")})`);
    process.exit(2);
}

const stream = run({ files: files.map((f) => path.resolve(f)), concurrency });
// A failed test, or a file that failed outside its tests (a crash, a timeout), fails the run.
stream.on("test:fail", () => {
    process.exitCode = 1;
});
stream.compose(process.stdout.isTTY ? new spec() : tap).pipe(process.stdout);
