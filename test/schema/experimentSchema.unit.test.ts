// The experiment's JSON Schema (schema/experiment.schema.json): committed, generated from the zod schema by
// `npm run schema`, and it must agree with the zod schema on the repository's own stacks and on a bad experiment.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { ExperimentSpec } from "../../components/experiment";
import { experimentJsonSchemaText, SCHEMA_FILE } from "../../scripts/schema";

const STACKS = path.resolve(__dirname, "../../stacks");

/** Every committed example and demo stack's experiment (stacks named test-* are made by tests running right now). */
function stackExperiments(): [string, unknown][] {
    return fs
        .readdirSync(STACKS)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f) && !f.startsWith("Pulumi.test-"))
        .map((f) => [f, (parse(fs.readFileSync(path.join(STACKS, f), "utf8")) as { config?: Record<string, unknown> }).config?.["faultline:experiment"]]);
}

describe("the experiment's JSON Schema", () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as object);

    it("is what `npm run schema` generates from the zod schema today", () => {
        assert.ok(fs.readFileSync(SCHEMA_FILE, "utf8") === experimentJsonSchemaText(), "schema/experiment.schema.json is stale: run `npm run schema` and commit it");
    });

    it("accepts every stack's experiment in stacks/Pulumi.*.yaml, as the zod schema does", () => {
        const stacks = stackExperiments();
        assert.ok(stacks.length >= 10, `expected the repository's stacks, found ${stacks.length}`);
        for (const [file, experiment] of stacks) {
            assert.notEqual(experiment, undefined, `${file} has no faultline:experiment`);
            assert.equal(ExperimentSpec.safeParse(experiment).success, true, `${file}: the zod schema refuses it`);
            assert.equal(validate(experiment), true, `${file}: ${JSON.stringify(validate.errors)}`);
        }
    });

    it("rejects a misspelt field and a duration of the wrong type, at their paths", () => {
        const bad = {
            name: "bad",
            fautls: [],
            faults: [{ name: "freeze", kind: "docker:container-pause", target: { name: "web" }, ttl: true }],
        };
        assert.equal(ExperimentSpec.safeParse(bad).success, false);
        assert.equal(validate(bad), false);
        const errors = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`);
        assert.ok(errors.includes(' additionalProperties {"additionalProperty":"fautls"}'), errors.join("\n"));
        assert.ok(errors.includes('/faults/0/ttl type {"type":["string","number"]}'), errors.join("\n"));
    });
});
