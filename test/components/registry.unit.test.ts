// Unit test: the driver registry is bundled into Docker reapers, so loading it must not load the AWS SDK.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

describe("driver registry", () => {
    it("lists the FIS run driver without loading @aws-sdk at load time", () => {
        const { drivers } = require("../../components/registry") as typeof import("../../components/registry");
        assert.equal(drivers["aws:fis-experiment-run"]?.kind, "aws:fis-experiment-run");
        assert.deepEqual(Object.keys(require.cache).filter((m) => m.includes(`${"@aws-sdk"}`)), []);
    });
});
