// Unit test: the registry is the one list of fault kinds. It is bundled into Docker reapers, so loading it must
// load neither the AWS SDK nor @pulumi/pulumi; and a kind file that is not registered is a failing test here.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const components = path.join(__dirname, "..", "..", "components");

describe("fault registry", () => {
    it("lists the FIS run driver without loading @aws-sdk or @pulumi/pulumi at load time", () => {
        const { drivers } = require("../../components/registry") as typeof import("../../components/registry");
        assert.equal(drivers["aws:fis-experiment-run"]?.kind, "aws:fis-experiment-run");
        assert.deepEqual(Object.keys(require.cache).filter((m) => m.includes(`${"@aws-sdk"}`) || m.includes(`${"@pulumi"}/pulumi`)), []);
    });

    it("registers every kind file under components/*/faults/, each once, by its kind", () => {
        const { FAULTS } = require("../../components/registry") as typeof import("../../components/registry");
        const files = readdirSync(components, { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .flatMap((d) => {
                const dir = path.join(components, d.name, "faults");
                try {
                    return readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => path.join(dir, f));
                } catch {
                    return [];
                }
            })
            .sort();
        const registered = FAULTS.map((f) => f.module).sort();
        assert.deepEqual(registered, files);
        assert.equal(new Set(FAULTS.map((f) => f.kind)).size, FAULTS.length);
        assert.equal(new Set(FAULTS.map((f) => f.component)).size, FAULTS.length);
        for (const f of FAULTS) assert.equal(f.kind.split(":")[0], f.target, f.kind);
    });

    it("exports a component class for every registered Docker kind, named as the registry says", () => {
        const { DOCKER_FAULTS } = require("../../components/registry") as typeof import("../../components/registry");
        const docker = require("../../components/docker") as Record<string, { type?: string; definition?: unknown }>;
        for (const f of DOCKER_FAULTS) {
            assert.equal(docker[f.component]?.type, `faultline:docker:${f.component}`, f.component);
            assert.equal(docker[f.component]?.definition, f, f.component);
        }
    });

    it("exports a component class for every registered Kubernetes kind, named as the registry says", () => {
        const { KUBERNETES_FAULTS } = require("../../components/registry") as typeof import("../../components/registry");
        const kubernetes = require("../../components/kubernetes") as Record<string, { type?: string; kind?: string; definition?: unknown }>;
        for (const f of KUBERNETES_FAULTS) {
            assert.equal(kubernetes[f.component]?.type, `faultline:kubernetes:${f.component}`, f.component);
            assert.equal(kubernetes[f.component]?.kind, f.kind, f.component);
            assert.equal(kubernetes[f.component]?.definition, f, f.component);
        }
    });

    it("gives every Docker kind a driver the reaper and recover find by kind", () => {
        const { DOCKER_FAULTS, driverFor } = require("../../components/registry") as typeof import("../../components/registry");
        for (const f of DOCKER_FAULTS) assert.equal(driverFor(f.kind), f.driver);
        assert.throws(() => driverFor("docker:nope"), /^Error: unknown fault kind "docker:nope"; this build knows: docker:network-disconnect, /);
    });
});
