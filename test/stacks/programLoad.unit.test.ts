// What loading the Pulumi program loads: it builds resources and never talks to the Docker engine (the dynamic
// providers do, in their own process), so the Docker client (dockerode, docker-modem, ssh2) must not be required at
// its load: 43 modules, 1.1-1.8 s under load, on every preview, up and destroy.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "..", "..");

describe("the program's module load", () => {
    it("does not require the Docker client, which only the providers use", () => {
        // A process of its own: this one may have loaded dockerode for another test.
        const script = `require("./stacks/program"); console.log(JSON.stringify(Object.keys(require.cache).filter((m) => /[\\\\/]node_modules[\\\\/](dockerode|docker-modem|ssh2)[\\\\/]/.test(m))));`;
        const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8" });
        assert.deepEqual(JSON.parse(out.trim().split("\n").at(-1)!), []);
    });
});
