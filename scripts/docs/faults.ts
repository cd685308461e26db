// Rewrites the README's fault tables from the registry (components/registry.ts): the Docker kinds between
// <!-- faults:docker:begin --> and <!-- faults:docker:end -->, the Kubernetes kinds between
// <!-- faults:kubernetes:begin --> and <!-- faults:kubernetes:end -->. `npm run docs:faults`; with --check it only
// says whether the README is current (exit 1 if not), which test/scripts/docsFaults.unit.test.ts relies on.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { AnyFaultDefinition } from "../../components/core/defineFault";
import { DOCKER_FAULTS, KUBERNETES_FAULTS } from "../../components/registry";

/** The markers around the generated Docker table. */
export const MARKERS = { begin: "<!-- faults:docker:begin -->", end: "<!-- faults:docker:end -->" } as const;

/** Each generated table: its markers and its kinds, in the registry's order. */
export const TABLES: readonly { begin: string; end: string; faults: readonly AnyFaultDefinition[] }[] = [
    { ...MARKERS, faults: DOCKER_FAULTS },
    { begin: "<!-- faults:kubernetes:begin -->", end: "<!-- faults:kubernetes:end -->", faults: KUBERNETES_FAULTS },
];

/** A fault table, one row per kind. */
export function faultTable(faults: readonly AnyFaultDefinition[]): string {
    const rows = faults.map((f) => `| \`${f.kind}\` | \`${f.component}\` | ${f.up} | ${f.revert} | ${f.docs} |`);
    return ["| Kind | Component | `up` | `destroy` / TTL | Docs |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** `readme` with the text between each pair of markers replaced by its generated table. */
export function withFaultTable(readme: string): string {
    let out = readme;
    for (const { begin, end, faults } of TABLES) {
        const a = out.indexOf(begin);
        const b = out.indexOf(end);
        if (a < 0 || b < a) throw new Error(`README.md: markers ${begin} ... ${end} not found; put them around the fault table`);
        out = `${out.slice(0, a + begin.length)}\n${faultTable(faults)}\n${out.slice(b)}`;
    }
    return out;
}

function main(argv: string[]): number {
    const file = path.join(__dirname, "..", "..", "README.md");
    const readme = readFileSync(file, "utf8");
    const next = withFaultTable(readme);
    if (argv.includes("--check")) {
        if (next === readme) return 0;
        console.error("README.md: the fault tables are not the registry's; run `npm run docs:faults`");
        return 1;
    }
    if (next !== readme) writeFileSync(file, next);
    console.log(next === readme ? "README.md: fault tables already current" : "README.md: fault tables rewritten from the registry");
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
