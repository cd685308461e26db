import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, it } from "node:test";
import { toSpecIssues } from "../../components/core/errors";
import { experimentMetadataArgs } from "../../components/core/ExperimentMetadata";
import { ExperimentSpec, FAULT_KINDS, type ExperimentInput } from "../../components/experiment";
import { expectationsOf } from "../../spec/experiment";

/** A valid experiment; every bad spec below changes one thing in it. */
function valid(): Record<string, any> {
    return {
        name: "web-partition",
        owner: "sre-team",
        hypothesis: {
            text: "the client keeps answering while web is cut off",
            probes: [{ name: "client-up", kind: "http", url: "http://127.0.0.1:8080/" }],
        },
        timing: { ttl: "10m", duration: "20s" },
        faults: [{ name: "web-cut", kind: "docker:network-disconnect", container: "web", network: "net" }],
    };
}

function issuesOf(input: unknown) {
    const r = ExperimentSpec.safeParse(input);
    return r.success ? [] : toSpecIssues(r.error.issues);
}

type Case = [title: string, change: (s: Record<string, any>) => void, path: string, message: string];

const cases: Case[] = [
    ["missing name", (s) => delete s.name, "name", "required: a name for this experiment (e.g. orders-worker-kill)"],
    ["name not a DNS label", (s) => (s.name = "Web_Partition"), "name", "use lowercase letters, digits and dashes (like a DNS label), e.g. orders-worker-kill"],
    ["unknown top-level field", (s) => (s.hypotesis = {}), "hypotesis", "unknown field; remove it or check its spelling against the documented fields"],
    ["no faults", (s) => (s.faults = []), "faults", "an experiment needs at least one fault"],
    ["faults missing", (s) => delete s.faults, "faults", "required: a list of faults, each with a name and a kind"],
    ["unknown fault kind", (s) => (s.faults[0].kind = "docker:explode"), "faults[0].kind", `unknown fault kind; supported kinds: ${FAULT_KINDS.join(", ")}`],
    ["fault spec field missing", (s) => delete s.faults[0].network, "faults[0].network", "required: the name or ID of the Docker network to cut it off from (see `docker network ls`)"],
    ["duplicate fault name", (s) => s.faults.push({ ...s.faults[0] }), "faults[1].name", 'duplicate fault name "web-cut"; fault names must be unique'],
    ["no ttl anywhere", (s) => delete s.timing.ttl, "faults[0].ttl", 'required: how long the fault may stay in (e.g. "10m"); set it here or as timing.ttl for every fault'],
    ["ttl shorter than the window", (s) => (s.faults[0].ttl = "10s"), "faults[0].ttl", "10s is shorter than timing.duration (20s): the reaper would revert the fault mid-window; make it at least the duration plus a margin"],
    ["default ttl shorter than the window", (s) => (s.timing.ttl = "15s"), "timing.ttl", "15s is shorter than timing.duration (20s): the reaper would revert the fault mid-window; make it at least the duration plus a margin"],
    ["bad duration", (s) => (s.timing.duration = "20 seconds"), "timing.duration", '"20 seconds" is not a duration; write it like "30s", "5m", "1h30m" or "750ms"'],
    ["sample interval too fast", (s) => (s.timing.sampleInterval = "1ms"), "timing.sampleInterval", "must be between 10ms and 10s"],
    ["warm-up not a window", (s) => (s.timing.warmup = "soon"), "timing.warmup", 'a duration such as "5s" or "1m", a number of milliseconds, or 0 to skip this window'],
    ["recovery deadline below the SLO", (s) => (s.timing.recoveryDeadline = "10s"), "timing.recoveryDeadline", "10s is shorter than hypothesis.slo.recoveryTime (30s); the runner would stop waiting before the SLO could be met"],
    ["error rate not a fraction", (s) => (s.hypothesis.slo = { maxErrorRate: "5 percent" }), "hypothesis.slo.maxErrorRate", '"5 percent" is not a fraction; write a number between 0 and 1 (e.g. 0.05) or a percentage (e.g. "5%")'],
    ["error rate above 1", (s) => (s.hypothesis.slo = { maxErrorRate: 5 }), "hypothesis.slo.maxErrorRate", "5 is not a fraction; write a number between 0 and 1 (e.g. 0.05) or a percentage (e.g. \"5%\")"],
    ["unknown latency percentile", (s) => (s.hypothesis.slo = { latency: { p75: "200ms" } }), "hypothesis.slo.latency.p75", "unknown field; remove it or check its spelling against the documented fields"],
    ["throughput SLO without load", (s) => (s.hypothesis.slo = { minThroughput: 10 }), "hypothesis.slo.minThroughput", "throughput is measured on the load; add a load section or remove minThroughput"],
    ["probe without a name", (s) => delete s.hypothesis.probes[0].name, "hypothesis.probes[0].name", "required: a name for this probe, unique in the experiment (e.g. api-health)"],
    ["duplicate probe name", (s) => s.hypothesis.probes.push({ name: "client-up", kind: "tcp", port: 80 }), "hypothesis.probes[1].name", 'duplicate probe name "client-up"; probe names must be unique'],
    ["unknown probe kind", (s) => (s.hypothesis.probes[0].kind = "ping"), "hypothesis.probes[0].kind", "unknown probe kind; use one of: http, tcp, command, container-health, container-stats, message-count, kubernetes, prometheus"],
    ["http probe with a non-http URL", (s) => (s.hypothesis.probes[0].url = "ftp://127.0.0.1/"), "hypothesis.probes[0].url", "must be an http:// or https:// URL, e.g. http://127.0.0.1:8080/health"],
    ["tcp port out of range", (s) => (s.hypothesis.probes = [{ name: "db", kind: "tcp", port: 70000 }]), "hypothesis.probes[0].port", "a port is between 1 and 65535"],
    ["probe timeout too long", (s) => (s.hypothesis.probes[0].timeout = "1m"), "hypothesis.probes[0].timeout", "a probe timeout must be at most 30s; probes are sampled many times a second"],
    ["command probe without a program", (s) => (s.hypothesis.probes = [{ name: "pg", kind: "command", command: [] }]), "hypothesis.probes[0].command", 'give at least the program, e.g. ["pg_isready", "-q"]'],
    ["message count with neither redis nor container", (s) => (s.hypothesis.probes = [{ name: "dlq", kind: "message-count", key: "orders:dlq" }]), "hypothesis.probes[0]", "give exactly one of redis (a redis:// URL) or container (where redis-cli runs)"],
    ["pending count without a group", (s) => (s.hypothesis.probes = [{ name: "pending", kind: "message-count", redis: "redis://127.0.0.1:6379", key: "orders", type: "pending" }]), "hypothesis.probes[0].group", "required for type pending: the consumer group to count pending entries of"],
    ["container stats with a bad size", (s) => (s.hypothesis.probes = [{ name: "mem", kind: "container-stats", container: "web", maxMemory: "lots" }]), "hypothesis.probes[0].maxMemory", '"lots" is not a size; write a whole number of bytes or e.g. "64MiB", "512k", "1GB"'],
    ["load to a non-loopback host", (s) => (s.load = { url: "http://10.1.2.3:8080/", rate: 10 }), "load.url", 'load goes to loopback only, not "10.1.2.3"; publish the service\'s port on 127.0.0.1 and use http://127.0.0.1:<port>/'],
    ["load rate too high", (s) => (s.load = { url: "http://127.0.0.1:8080/", rate: 50_000 }), "load.rate", "at most 2000 requests per second; this load measures a steady state, it does not stress the system"],
    ["load without a rate", (s) => (s.load = { url: "http://127.0.0.1:8080/" }), "load.rate", "required: requests per second, e.g. 20"],
    ["stop condition on an unknown probe", (s) => (s.stopConditions = [{ metric: "probe", probe: "nope" }]), "stopConditions[0].probe", 'no probe named "nope" in hypothesis.probes (known: client-up)'],
    ["stop condition with an unknown metric", (s) => (s.stopConditions = [{ metric: "cpu", above: 1 }]), "stopConditions[0].metric", "unknown metric; use one of: error-rate, latency, throughput, probe, promql"],
    ["stop condition on throughput without load", (s) => (s.stopConditions = [{ metric: "throughput", below: 5 }]), "stopConditions[0].metric", "throughput is measured on the load; add a load section or use another metric"],
    ["stop condition with zero samples", (s) => (s.stopConditions = [{ metric: "error-rate", above: 0.5, samples: 0 }]), "stopConditions[0].samples", "must be at least 1"],
    ["expectation without behaviour", (s) => (s.faults[0].expect = [{ probe: { kind: "tcp", port: 80 } }]), "faults[0].expect[0].behaviour", 'required: the expected behaviour in words, e.g. "fails closed within 1s"'],
    ["within on a throughout expectation", (s) => (s.faults[0].expect = [{ behaviour: "x", mode: "throughout", within: "1s", probe: { kind: "tcp", port: 80 } }]), "faults[0].expect[0].within", 'only applies to mode "within"; remove it or set mode: within'],
    ["expectation deadline beyond the window", (s) => (s.faults[0].expect = [{ behaviour: "x", within: "1m", probe: { kind: "tcp", port: 80 } }]), "faults[0].expect[0].within", "1m is longer than the fault window (timing.duration 20s); it could never be seen"],
    ["expectation probe named like a steady-state probe", (s) => (s.faults[0].expect = [{ behaviour: "x", probe: { name: "client-up", kind: "tcp", port: 80 } }]), "faults[0].expect[0].probe.name", 'duplicate probe name "client-up" (also at hypothesis.probes[0]); probe names must be unique'],
    ["all score weights zero", (s) => (s.score = { weights: { expectedBehaviour: 0, recovery: 0, recoveryTime: 0, errorRate: 0 } }), "score.weights", "at least one weight must be greater than zero"],
    ["negative weight", (s) => (s.score = { weights: { recovery: -1 } }), "score.weights.recovery", "must be 0 or more"],
    ["production without approval", (s) => (s.environment = { production: true }), "approval", "required when environment.production is true: say who approved it (approval.by) and where (approval.ticket)"],
    ["blast radius of zero", (s) => (s.blastRadius = { maxTargets: 0 }), "blastRadius.maxTargets", "must be greater than zero"],
    [
        "blast radius smaller than the faults",
        (s) => {
            s.faults.push({ ...s.faults[0], name: "web-cut-2" });
            s.blastRadius = { maxTargets: 1 };
        },
        "blastRadius.maxTargets",
        "1 is fewer than the 2 faults declared, each of which hits at least one target",
    ],
];

describe("ExperimentSpec: bad specs name the field and say how to fix it", () => {
    it("the valid base spec parses", () => assert.deepEqual(issuesOf(valid()), []));
    it(`has at least 20 cases (${cases.length})`, () => assert.ok(cases.length >= 20));
    for (const [title, change, path, message] of cases) {
        it(title, () => {
            const spec = valid();
            change(spec);
            assert.deepEqual(issuesOf(spec), [{ path, message }]);
        });
    }
});

describe("ExperimentSpec: every issue at once", () => {
    it("reports all problems in one pass, each with its path", () => {
        const spec = valid();
        spec.name = "Bad Name";
        spec.faults[0].kind = "nope";
        spec.hypothesis.probes[0].url = "nope";
        spec.load = { url: "http://example.com/", rate: 1 };
        assert.deepEqual(
            issuesOf(spec).map((i) => i.path),
            ["name", "hypothesis.probes[0].url", "load.url", "faults[0].kind"],
        );
    });
});

describe("ExperimentSpec: defaults", () => {
    it("fills in the project's default SLOs, windows and weights", () => {
        const exp = ExperimentSpec.parse(valid());
        assert.deepEqual(exp.hypothesis.slo, { maxErrorRate: 0.05, latency: { p95: 500 }, recoveryTime: 30_000, failClosedActivation: 1000 });
        assert.deepEqual(exp.timing, { warmup: 5000, duration: 20_000, ttl: 600_000, cooldown: 5000, recoveryDeadline: 60_000, sampleInterval: 50 });
        assert.deepEqual(exp.score, { weights: { expectedBehaviour: 30, recovery: 40, recoveryTime: 20, errorRate: 10 }, productionReady: 90 });
        assert.deepEqual(exp.environment, { name: "local", target: "docker", production: false });
        assert.equal(exp.faults[0]!.ttl, 600_000);
        assert.equal("expect" in exp.faults[0]!, false, "a fault without expectations parses to what was written");
    });

    it("names expectation probes after their fault and fills their deadline from the SLO", () => {
        const spec = valid();
        spec.hypothesis.slo = { failClosedActivation: "2s", maxErrorRate: "1%" };
        spec.faults[0].expect = [{ behaviour: "fails closed", probe: { kind: "http", url: "http://127.0.0.1:1/", status: 503 } }];
        const exp = ExperimentSpec.parse(spec);
        assert.equal(exp.hypothesis.slo.maxErrorRate, 0.01);
        assert.deepEqual(expectationsOf(exp.faults[0]!)[0], {
            behaviour: "fails closed",
            mode: "within",
            within: 2000,
            negate: false,
            critical: false,
            probe: { kind: "http", name: "web-cut-expect-1", url: "http://127.0.0.1:1/", status: [503], method: "GET", timeout: 1000 },
        });
    });

    it("a fault's own ttl wins over timing.ttl; 0 skips warm-up and cool-down", () => {
        const spec = valid();
        spec.faults[0].ttl = "30s";
        spec.timing.warmup = 0;
        spec.timing.cooldown = "0s";
        const exp = ExperimentSpec.parse(spec);
        assert.equal(exp.faults[0]!.ttl, 30_000);
        assert.equal(exp.timing.warmup, 0);
        assert.equal(exp.timing.cooldown, 0);
    });

    it("gives the policy pack's ExperimentMetadata what it reads", () => {
        const spec = valid();
        spec.environment = { name: "staging", production: true };
        spec.approval = { by: "alice", ticket: "CHG-1" };
        spec.stopConditions = [{ metric: "probe", probe: "client-up" }];
        assert.deepEqual(experimentMetadataArgs(ExperimentSpec.parse(spec)), {
            name: "web-partition",
            owner: "sre-team",
            hypothesis: "the client keeps answering while web is cut off",
            steadyStateProbes: 1,
            stopConditions: 1,
            environment: "production",
            approval: { by: "alice", ticket: "CHG-1" },
        });
    });

    it("accepts a TypeScript-written experiment typed as ExperimentInput", () => {
        const input: ExperimentInput = {
            name: "ts-exp",
            timing: { ttl: "5m", duration: 10_000 },
            faults: [{ name: "cut", kind: "docker:network-disconnect", container: "a", network: "b" }],
        };
        const bad = { name: "x", faults: [{ name: "y", kind: "docker:explode" }] };
        assert.equal(ExperimentSpec.parse(input).timing.duration, 10_000);
        assert.equal(ExperimentSpec.safeParse(bad).success, false);
    });
});

describe("ExperimentSpec: parsed once, parses to itself", () => {
    const stacks = path.join(__dirname, "..", "..", "stacks");
    // The project's own stacks only: real tests create and remove stacks test-* here while this tier may be running.
    for (const file of readdirSync(stacks).filter((f) => /^Pulumi\.(?!test-).+\.yaml$/.test(f))) {
        it(`${file}: parsing the parsed experiment gives the same value`, () => {
            const config = (parseYaml(readFileSync(path.join(stacks, file), "utf8")) as { config: Record<string, unknown> }).config;
            const once = ExperimentSpec.parse(config["faultline:experiment"]);
            assert.deepEqual(ExperimentSpec.parse(once), once);
        });
    }

    it("refuses a bare number of seconds for a ttl, naming the field and the fix", () => {
        const r = ExperimentSpec.safeParse({ name: "x", faults: [{ name: "cut", kind: "docker:container-pause", target: { name: "a" }, ttl: 30 }] });
        assert.deepEqual(
            r.error?.issues.map((i) => [i.path.join("."), i.message]),
            [["faults.0.ttl", '30ms is too short for a time-to-live or window (at least 1s); a bare number is milliseconds; write "30s" for 30 seconds']],
        );
    });
});
