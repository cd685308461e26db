// Unit test: scripts/pulumi-language-nodejs/lazy-load.js, the preload of the Node.js processes Pulumi starts. Loading
// @pulumi/pulumi under it leaves out what those processes never use, and each left-out module still loads, whole, at
// its first use. Each case is a fresh `node` (a module cache of its own), with and without the preload.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { LAZY_LOAD } from "../../runner/env";

const ROOT = path.join(__dirname, "..", "..");

/** What `script` prints in a fresh node, with the preload or without; the caller's NODE_OPTIONS are not passed on. */
function node(script: string, preload: boolean): unknown {
    const args = [...(preload ? ["--require", LAZY_LOAD] : []), "-e", script];
    const env = { ...process.env, NODE_OPTIONS: "" };
    return JSON.parse(execFileSync(process.execPath, args, { cwd: ROOT, env, encoding: "utf8" }));
}

/**
 * Loads @pulumi/pulumi and the program's tracing module, and prints which heavy modules that loaded; then uses what
 * was left out (the Automation API through the SDK's index and through its own path; a tracing span, then tracing
 * started) and prints what each use loaded, and whether what it got was the real thing.
 */
const SCRIPT = `
const HEAVY = ["automation/index.js", "@npmcli/arborist/", "typescript/lib/typescript.js", "@opentelemetry/sdk-trace-node/"];
const loaded = () => HEAVY.filter((part) => Object.keys(require.cache).some((f) => f.includes(part)));
const pulumi = require("@pulumi/pulumi");
const tracing = require("@pulumi/pulumi/cmd/run/tracing");
const atLoad = loaded();
const viaIndex = typeof pulumi.automation.LocalWorkspace.create;
const direct = require("@pulumi/pulumi/automation");
tracing.newSpan("a span").end();
const afterSpan = loaded();
tracing.start("http://127.0.0.1:9/api/v2/spans");
const api = require(require.resolve("@opentelemetry/api", { paths: [require("node:path").dirname(require.resolve("@pulumi/pulumi/cmd/run/tracing"))] }));
const started = api.trace.getTracerProvider().getDelegate().constructor.name;
console.log(JSON.stringify({ atLoad, viaIndex, directIsReal: !require("node:util").types.isProxy(direct) && typeof direct.Stack === "function", afterSpan, afterStart: loaded(), started }));`;

/**
 * Loads dockerode, as the dynamic provider does at its first Docker client, and prints which of its heavy requires
 * that loaded; then uses each one left out (docker-modem's SSH agent, which constructs an ssh2 Client; BuildKit's
 * session function, as dockerode's own file holds it) and prints what that loaded.
 */
const DOCKERODE_SCRIPT = `
const HEAVY = ["/ssh2/", "/@grpc/grpc-js/"];
const loaded = () => HEAVY.filter((part) => Object.keys(require.cache).some((f) => f.includes(part)));
require("dockerode");
const atLoad = loaded();
const agent = require("docker-modem/lib/ssh")({ host: "127.0.0.1" });
const afterSsh = loaded();
const docker = require.cache[require.resolve("dockerode/lib/docker")];
const session = require("node:module").prototype.require.call(docker, "./session");
console.log(JSON.stringify({ atLoad, agent: typeof agent.createConnection, afterSsh, session: typeof session, sessionArity: session.length, afterSession: loaded() }));`;

describe("lazy-load.js: the preload of Pulumi's Node.js processes", () => {
    it("loading dockerode leaves out ssh2 and BuildKit's gRPC session; each loads at its first use", () => {
        assert.deepEqual(node(DOCKERODE_SCRIPT, true), {
            atLoad: [],
            agent: "function",
            afterSsh: ["/ssh2/"],
            session: "function",
            sessionArity: 3,
            afterSession: ["/ssh2/", "/@grpc/grpc-js/"],
        });
    });

    it("without it, loading dockerode loads both", () => {
        assert.deepEqual((node(DOCKERODE_SCRIPT, false) as { atLoad: string[] }).atLoad, ["/ssh2/", "/@grpc/grpc-js/"]);
    });

    it("loading @pulumi/pulumi and the program's tracing leaves out the Automation API, arborist, TypeScript and the tracing SDK; each loads at its first use", () => {
        assert.deepEqual(node(SCRIPT, true), {
            atLoad: [],
            viaIndex: "function",
            directIsReal: true,
            afterSpan: ["automation/index.js"],
            afterStart: ["automation/index.js", "@opentelemetry/sdk-trace-node/"],
            started: "NodeTracerProvider",
        });
    });

    it("without it, loading them loads all four (what the preload saves)", () => {
        const without = node(SCRIPT, false) as { atLoad: string[] };
        assert.deepEqual(without.atLoad, ["automation/index.js", "@npmcli/arborist/", "typescript/lib/typescript.js", "@opentelemetry/sdk-trace-node/"]);
    });
});
