import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const DIR = path.join(__dirname, "..", "__snapshots__");

/**
 * Compares `value` (as JSON) with test/__snapshots__/<name>.json. A missing snapshot is written and the test
 * passes; set UPDATE_SNAPSHOTS=1 to rewrite them after an intended change. Node 20's test runner has no snapshot
 * assertion (`t.assert.snapshot` arrived in Node 22.3), hence this. Only for large documents, always beside
 * explicit checks of the fields that matter. `replacer` (as for JSON.stringify) masks values that change per run.
 */
export function matchSnapshot(name: string, value: unknown, replacer?: (key: string, value: unknown) => unknown): void {
    const file = path.join(DIR, `${name}.json`);
    const actual = JSON.parse(JSON.stringify(value, replacer)) as unknown;
    if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(file)) {
        mkdirSync(DIR, { recursive: true });
        writeFileSync(file, JSON.stringify(actual, null, 2) + "\n");
        return;
    }
    const expected = JSON.parse(readFileSync(file, "utf8")) as unknown;
    assert.deepEqual(actual, expected, `snapshot ${name} differs; if the change is intended, rerun with UPDATE_SNAPSHOTS=1`);
}
