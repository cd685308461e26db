// `npm run schema`: writes the experiment's JSON Schema (schema/experiment.schema.json), generated from the zod
// schema (components/experiment.ts), for editors (`# yaml-language-server: $schema=...`) and other tools.
// test/schema/experimentSchema.unit.test.ts fails when the committed file is stale.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { ExperimentSpec } from "../components/experiment";

/** Where the schema is committed. */
export const SCHEMA_FILE = path.resolve(__dirname, "..", "schema", "experiment.schema.json");

/**
 * The experiment's JSON Schema, from the input side of the zod schema: what a user writes (durations as "30s" or
 * milliseconds, ratios as "5%" or fractions), not what parsing makes of it. Cross-field rules (unique names, a TTL
 * that covers the window) are beyond JSON Schema; `faultline plan` checks them.
 */
export function experimentJsonSchema(): Record<string, unknown> {
    const schema = z.toJSONSchema(ExperimentSpec, { io: "input", target: "draft-2020-12", unrepresentable: "any", reused: "ref" });
    return {
        ...schema,
        title: "faultline experiment",
        description: "A faultline experiment: the value of `faultline:experiment` in a stack's Pulumi.<stack>.yaml, or an experiment YAML file.",
    };
}

/** The file's exact text: stable key order as generated, two-space indent, trailing newline. */
export function experimentJsonSchemaText(): string {
    return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, experimentJsonSchemaText());
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
