// Rewrites the README's Docker fault table from the registry (components/registry.ts), between the markers
// <!-- faults:docker:begin --> and <!-- faults:docker:end -->. `npm run docs:faults`; with --check it only says
// whether the README is current (exit 1 if not), which test/scripts/docsFaults.unit.test.ts relies on.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DOCKER_FAULTS } from "../../components/registry";

/** The markers around the generated table. */
export const MARKERS = { begin: "<!-- faults:docker:begin -->", end: "<!-- faults:docker:end -->" } as const;

/** The Docker fault table, one row per registered kind. */
export function dockerFaultTable(): string {
    const rows = DOCKER_FAULTS.map((f) => `| \`${f.kind}\` | \`${f.component}\` | ${f.up} | ${f.revert} | ${f.docs} |`);
    return ["| Kind | Component | `up` | `destroy` / TTL | Docs |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** `readme` with the text between the markers replaced by the generated table. */
export function withFaultTable(readme: string): string {
    return replaceBetween(readme, MARKERS, dockerFaultTable(), "the Docker fault table");
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
        console.error("README.md: the Docker fault table is not the registry's; run `npm run docs:faults`");
        return 1;
    }
    if (next !== readme) writeFileSync(file, next);
    console.log(next === readme ? "README.md: fault table already current" : "README.md: fault table rewritten from the registry");
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
