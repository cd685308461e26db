// The Pulumi program of every faultline project (Pulumi.yaml `main`), as compiled JavaScript: Pulumi runs it with
// `typescript: false`, so no ts-node and no type-checking in a `pulumi` command (type-checking is
// `npm run typecheck`, the tests and CI). In this repository a stack's TypeScript edited since the last build is
// recompiled first (esbuild, about 100 ms); an installed package ships no sources and only loads dist/.
"use strict";
require("../scripts/build.js").buildIfStale();
module.exports = require("../dist/stacks/index.js");
