// The CLI's edges, each case checking the message and the exit code: usage errors, bad YAML/JSON, unknown stacks,
// missing paths, and --experiment running a temporary copy. Only the last case runs Pulumi (a preview); none
// touches Docker.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { useFaultlineEnv } from "../../runner/env";
import { STACKS_DIR } from "../../runner/input";
import { openStack, removeStack } from "../../runner/pulumi";
import { cli } from "../helpers/cli";
import { startReceiver } from "../helpers/receiver";
import { EvidenceSchema } from "../../runner/evidence/schema";
import { runId } from "../helpers/docker";

describe("faultline CLI: messages and exit codes", { timeout: 600_000 }, () => {
    const run = runId();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-cli-test-"));
    const stack = `test-cli-${run}`;
    const stackFile = path.join(STACKS_DIR, `Pulumi.${stack}.yaml`);
    const write = (name: string, text: string) => {
        const f = path.join(tmp, name);
        fs.writeFileSync(f, text);
        return f;
    };
    const done = async (args: string[]) => {
        const c = cli(args);
        return { code: await c.exit, out: c.stdout(), err: c.stderr() };
    };

    before(() => useFaultlineEnv());
    after(async () => {
        const s = await openStack(stack).catch(() => undefined);
        if (s) await removeStack(s).catch(() => undefined);
        fs.rmSync(stackFile, { force: true });
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("usage errors exit 2 (1 means refuted), with commander's message and the help", async () => {
        const unknownCommand = await done(["bogus"]);
        assert.equal(unknownCommand.code, 2);
        assert.match(unknownCommand.err, /^error: unknown command 'bogus'$/m);
        const missingArg = await done(["plan"]);
        assert.equal(missingArg.code, 2);
        assert.match(missingArg.err, /^error: missing required argument 'stack'$/m);
        const unknownOption = await done(["report", "--nope", "x"]);
        assert.equal(unknownOption.code, 2);
        assert.match(unknownOption.err, /^error: unknown option '--nope'$/m);
        const help = await done(["--help"]);
        assert.equal(help.code, 0);
        assert.match(help.out, /Exit codes: 0 hypothesis held \(or success\), 1 refuted, 2 aborted or error\./);
    });

    it("a missing path is one line, no stack trace (exit 2)", async () => {
        const r = await done(["report", "/nonexistent"]);
        assert.deepEqual([r.code, r.err], [2, "error: /nonexistent: no such file or directory; give evidence.json files or directories of runs (e.g. .faultline/runs)\n"]);
        const e = await done(["plan", "example-partition", "--experiment", "/nonexistent.yaml"]);
        assert.deepEqual([e.code, e.err], [2, "error: --experiment /nonexistent.yaml: no such file\n"]);
    });

    it("YAML and JSON errors name the file, the line and the column (exit 2)", async () => {
        const yamlFile = write("bad.yaml", "name: x\nhypothesis:\n  text: [unclosed\nfaults: []\n");
        const y = await done(["plan", "example-partition", "--experiment", yamlFile]);
        assert.equal(y.code, 2);
        assert.match(y.err, new RegExp(`^error: ${yamlFile}:\\d+:\\d+: invalid YAML: .+\\n$`));
        const jsonFile = write("bad.json", '{\n  "name": "x",\n  "faults": [,]\n}\n');
        const j = await done(["run", "example-partition", "--experiment", jsonFile]);
        assert.equal(j.code, 2);
        assert.match(j.err, new RegExp(`^error: ${jsonFile}:3:14: invalid JSON: .+\\n$`));
        // The stack's own file too: a broken stacks/Pulumi.<stack>.yaml is named with its line.
        fs.writeFileSync(stackFile, "config:\n  faultline:experiment:\n    name: [x\n");
        const s = await done(["plan", stack]);
        assert.equal(s.code, 2);
        assert.match(s.err, new RegExp(`^error: stacks/Pulumi\\.${stack}\\.yaml:\\d+:\\d+: invalid YAML: .+\\n$`));
        fs.rmSync(stackFile);
    });

    it("plan/run of an unknown stack is an error that creates nothing: no stack, no stack file", async () => {
        for (const cmd of ["plan", "run"]) {
            const r = await done([cmd, "exmple-partition"]);
            assert.equal(r.code, 2, r.err);
            assert.match(r.err, /^error: stack "exmple-partition" does not exist: there is no stacks\/Pulumi\.exmple-partition\.yaml; did you mean "example-partition"\? Known stacks: .*example-partition.*\. To run an experiment file on a new stack, add --experiment <file>\n$/);
        }
        assert.equal(fs.existsSync(path.join(STACKS_DIR, "Pulumi.exmple-partition.yaml")), false);
        const ls = await (await import("../../runner/pulumi")).projectWorkspace().then((ws) => ws.listStacks());
        assert.equal(ls.some((s) => s.name === "exmple-partition"), false, "no stack was created in the backend");
    });

    const missingTargets = [
        { path: "faultline:experiment.faults[0].container", message: `no such container "no-such-container-${run}"; list containers with \`docker ps -a\`` },
        { path: "faultline:experiment.faults[0].network", message: "no such network \"no-such-network\"; list networks with `docker network ls`" },
    ];

    it("--experiment (YAML) plans a temporary copy and never rewrites the stack's own file; missing targets fail the plan first", async () => {
        // A stack as Pulumi left it (with its encryption salt), plus an experiment of its own.
        await openStack(stack);
        fs.appendFileSync(stackFile, "config:\n  faultline:experiment:\n    name: the-stacks-own\n");
        const own = fs.readFileSync(stackFile, "utf8");
        const exp = write(
            "exp.yaml",
            [
                "name: from-the-file",
                "hypothesis:",
                "  text: it answers",
                "  probes: [{ name: http, kind: http, url: 'http://127.0.0.1:9/' }]",
                "environment: { name: test }",
                "stopConditions: [{ metric: probe, probe: http, samples: 1000 }]",
                "timing: { ttl: 10m, duration: 2s }",
                "faults:",
                "  - { name: cut, kind: 'docker:network-disconnect', container: no-such-container-" + run + ", network: no-such-network }",
                "",
            ].join("\n"),
        );
        // The file's experiment is the one planned: its targets (not there) are what the plan refuses, field by field.
        const r = await done(["plan", stack, "--experiment", exp, "--json"]);
        assert.equal(r.code, 2);
        assert.deepEqual(JSON.parse(r.out), { error: "SpecError", message: "invalid experiment targets (nothing was previewed)", issues: missingTargets });
        assert.equal(fs.readFileSync(stackFile, "utf8"), own, "the stack's file is byte for byte what it was");
        // In words: "no such container" and "no such network" with the experiment's paths, and no policy message
        // (the preview, where the policy pack runs, never started).
        const text = await done(["plan", stack, "--experiment", exp]);
        assert.equal(text.code, 2);
        assert.equal(text.out, "");
        assert.equal(text.err, `error: invalid experiment targets (nothing was previewed):\n${missingTargets.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}\n`);
        // `run` aborts at its preflight with the same words, before the preview and before any probe. The aborted run
        // still reports itself: its trace reaches the OTLP receiver and its annotation the Grafana one before exit.
        const otlp = await startReceiver();
        const grafana = await startReceiver();
        const out = path.join(tmp, "run-out");
        const withGrafana = write("exp-grafana.yaml", `${fs.readFileSync(exp, "utf8")}grafana: { url: '${grafana.url}', tokenEnv: TEST_CLI_GRAFANA_TOKEN }\n`);
        process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.url;
        process.env.TEST_CLI_GRAFANA_TOKEN = "t0ken";
        try {
            const ran = await done(["run", stack, "--experiment", withGrafana, "--out", out]);
            assert.equal(ran.code, 2, ran.err);
        } finally {
            delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
            delete process.env.TEST_CLI_GRAFANA_TOKEN;
            await Promise.all([otlp.close(), grafana.close()]);
        }
        const e = EvidenceSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));
        assert.equal(e.status, "aborted");
        assert.equal(e.reason, `a target is not there, nothing was injected: ${missingTargets.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
        assert.deepEqual(e.samples, []);
        assert.deepEqual(e.annotation_delivery, { grafana_url: grafana.url, posted: 1, failed: 0, error: null });
        assert.deepEqual(grafana.calls.map((c) => [c.path, c.headers.authorization, (c.body as { text: string }).text]), [["/api/annotations", "Bearer t0ken", `faultline from-the-file: aborted (aborted): ${e.reason}`]]);
        assert.deepEqual(otlp.calls.map((c) => c.path), ["/v1/traces"]);
        const spans = (otlp.calls[0]!.body as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((x) => x.spans));
        assert.deepEqual(spans.map((x) => x.name).sort(), ["faultline run from-the-file", "phase preflight"]);
    });
});
