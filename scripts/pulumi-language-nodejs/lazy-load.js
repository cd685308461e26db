// Preloaded (NODE_OPTIONS --require, runner/env.ts) into the Node.js processes Pulumi starts for faultline: the
// program, the dynamic provider and the policy pack (and, scripts/test.sh, the test processes). @pulumi/pulumi
// requires at load three heavy modules these processes rarely or never use:
// - @npmcli/arborist and TypeScript, which only closure serialization uses (computeCodePaths, for packaging a
//   function with its dependencies; parsing a serialized function's source). faultline serializes no closure: its
//   providers' code is written as text (components/core/providerStub.ts). Together they were about 60 % of loading
//   @pulumi/pulumi (1.1 s of 1.7 s, measured with a require timer).
// - the Automation API (`automation`, which the SDK's index exports): about 60 ms more, which only the runner uses.
// They were paid in every one of those processes: three per preview, two per up, one per destroy. Here those
// requires, made by @pulumi/pulumi's own files, return a stand-in that loads the real module at its first use.
// Anything else, and any other version's layout, goes through untouched.
"use strict";
const Module = require("node:module");
const path = require("node:path");

const PULUMI = `${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
const CLOSURE = `${PULUMI}runtime${path.sep}closure${path.sep}`;
/** The requests made lazy, each with where the file that makes it lies (a part of its path). */
const LAZY = new Map([
    ["@npmcli/arborist", CLOSURE],
    ["../../typescript-shim", CLOSURE],
    ["./automation", `${PULUMI}index.js`],
]);

const load = Module._load;
Module._load = function lazyLoad(request, parent, isMain) {
    const where = LAZY.get(request);
    if (!where || !parent || typeof parent.filename !== "string" || !parent.filename.includes(where)) {
        return load.apply(this, arguments);
    }
    let real;
    const target = () => (real ??= load.call(this, request, parent, isMain));
    // `__esModule` keeps TypeScript's __importStar from copying (and so loading) every export at import.
    return new Proxy(
        {},
        {
            get: (_, key) => (key === "__esModule" ? true : target()[key]),
            has: (_, key) => key in target(),
            ownKeys: () => Reflect.ownKeys(target()),
            getOwnPropertyDescriptor: (_, key) => {
                const d = Reflect.getOwnPropertyDescriptor(target(), key);
                return d ? { ...d, configurable: true } : undefined;
            },
        },
    );
};
