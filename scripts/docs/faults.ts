// Rewrites the README's fault tables from the registry (components/registry.ts): the Docker kinds between
// <!-- faults:docker:begin --> and <!-- faults:docker:end -->, the Kubernetes kinds between
// <!-- faults:kubernetes:begin --> and <!-- faults:kubernetes:end -->, the AWS kinds between <!-- faults:aws:begin -->
// and <!-- faults:aws:end -->. `npm run docs:faults`; with --check it only
// says whether the README is current (exit 1 if not), which test/scripts/docsFaults.unit.test.ts relies on.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { AnyFaultDefinition } from "../../components/core/defineFault";
import { AWS_FAULTS, DOCKER_FAULTS, KUBERNETES_FAULTS } from "../../components/registry";

/** The markers around the generated Docker table. */
export const MARKERS = { begin: "<!-- faults:docker:begin -->", end: "<!-- faults:docker:end -->" } as const;

/** Each generated table: its markers and its kinds, in the registry's order. */
export const TABLES: readonly { begin: string; end: string; faults: readonly AnyFaultDefinition[] }[] = [
    { ...MARKERS, faults: DOCKER_FAULTS },
    { begin: "<!-- faults:kubernetes:begin -->", end: "<!-- faults:kubernetes:end -->", faults: KUBERNETES_FAULTS },
    { begin: "<!-- faults:aws:begin -->", end: "<!-- faults:aws:end -->", faults: AWS_FAULTS },
];

/** A fault table, one row per kind. */
export function faultTable(faults: readonly AnyFaultDefinition[]): string {
    const rows = faults.map((f) => `| \`${f.kind}\` | \`${f.component}\` | ${f.up} | ${f.revert} | ${f.docs} |`);
    return ["| Kind | Component | `up` | `destroy` / TTL | Docs |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** `readme` with the text between each pair of markers replaced by its generated table. */
export function withFaultTable(readme: string): string {
    let out = readme;
    for (const { begin, end, faults } of TABLES) out = replaceBetween(out, { begin, end }, faultTable(faults), "the fault table");
    return out;
}

/** `text` with what lies between `markers` replaced by `body` (generated README sections); `what` names the section. */
export function replaceBetween(text: string, markers: { begin: string; end: string }, body: string, what: string): string {
    const a = text.indexOf(markers.begin);
    const b = text.indexOf(markers.end);
    if (a < 0 || b < a) throw new Error(`README.md: markers ${markers.begin} ... ${markers.end} not found; put them around ${what}`);
    return `${text.slice(0, a + markers.begin.length)}\n${body}\n${text.slice(b)}`;
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
