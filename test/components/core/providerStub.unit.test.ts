import assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { providerStub } from "../../../components/core/providerStub";

// The provider process of Pulumi's Node.js dynamic-provider plugin loads `__provider` with require-from-string and
// calls its `handler()` (@pulumi/pulumi cmd/dynamic-provider getProvider): the stub is loaded here the same way.
const requireFromString = createRequire(require.resolve("@pulumi/pulumi"))("require-from-string") as (code: string) => { handler: () => Record<string, (...a: unknown[]) => unknown> };

describe("providerStub", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-stub-"));
    const real = path.join(dir, "real.js");
    fs.writeFileSync(real, `exports.made = 0; exports.make = (a, b) => { exports.made++; return { create: async (inputs) => ({ id: a + b.join(""), outs: inputs }), diff: async () => ({ changes: a === "x" }), read: async () => { throw new Error("unused") } }; };`);

    it("loads as Pulumi's provider process loads it, with exactly create and the listed methods, each calling the real provider", async () => {
        const stub = providerStub(real, "make", ["x", ["y", "z"]], ["diff"]);
        const provider = requireFromString(stub.text).handler();
        assert.deepEqual(Object.keys(provider), ["create", "diff"]);
        assert.deepEqual(await provider.create!({ q: 1 }), { id: "xyz", outs: { q: 1 } });
        assert.deepEqual(await provider.diff!("xyz", {}, {}), { changes: true });
        // Built in the provider's process on each call: providers hold nothing but module paths.
        assert.equal((require(real) as { made: number }).made, 2);
    });

    it("is a few hundred bytes plus the loader, the same text for the same provider, and carries its arguments as JSON", () => {
        const a = providerStub("faultline:components/core/faultProvider", "faultProviderFor", ["faultline:components/docker/faults/containerPause", { docker: "m" }], ["check", "diff"]);
        const b = providerStub("faultline:components/core/faultProvider", "faultProviderFor", ["faultline:components/docker/faults/containerPause", { docker: "m" }], ["check", "diff"]);
        assert.equal(a.text, b.text);
        assert.ok(a.text.length < 2500, `stub text is ${a.text.length} bytes`);
        assert.ok(a.text.includes(JSON.stringify(["faultline:components/core/faultProvider", "faultProviderFor", ["faultline:components/docker/faults/containerPause", { docker: "m" }], ["check", "diff"]])));
    });
});
