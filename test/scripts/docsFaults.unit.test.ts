// Unit test: the README's fault tables (Docker, Kubernetes) are the registry's (scripts/docs/faults.ts); stale means failing here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { DOCKER_FAULTS, KUBERNETES_FAULTS } from "../../components/registry";
import { MARKERS, TABLES, withFaultTable } from "../../scripts/docs/faults";

describe("npm run docs:faults", () => {
    const readme = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

    it("the README's fault table is current: run `npm run docs:faults` after adding a kind", () => {
        assert.equal(withFaultTable(readme), readme);
    });

    it("has one row per registered Docker kind, in the registry's order", () => {
        const table = readme.slice(readme.indexOf(MARKERS.begin), readme.indexOf(MARKERS.end));
        const kinds = [...table.matchAll(/^\| `(docker:[a-z-]+)` \|/gm)].map((m) => m[1]);
        assert.deepEqual(kinds, DOCKER_FAULTS.map((f) => f.kind));
    });

    it("has one row per registered Kubernetes kind, in the registry's order", () => {
        const { begin, end } = TABLES[1]!;
        const table = readme.slice(readme.indexOf(begin), readme.indexOf(end));
        const kinds = [...table.matchAll(/^\| `(kubernetes:[a-z-]+)` \|/gm)].map((m) => m[1]);
        assert.deepEqual(kinds, KUBERNETES_FAULTS.map((f) => f.kind));
    });

    it("says where the markers go when they are missing", () => {
        assert.throws(() => withFaultTable("# no table"), /^Error: README\.md: markers <!-- faults:docker:begin --> \.\.\. <!-- faults:docker:end --> not found; put them around the fault table$/);
    });
});
