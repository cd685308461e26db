// Preloaded (NODE_OPTIONS --require, runner/env.ts) into the Node.js processes Pulumi starts for faultline: the
// program, the dynamic provider and the policy pack. @pulumi/pulumi's runtime requires two heavy modules at load
// that only closure serialization uses: @npmcli/arborist (computeCodePaths, for packaging a function with its
// dependencies; faultline never calls it) and TypeScript (parsing a serialized function's source). Together they are
// about 60 % of loading @pulumi/pulumi (1.1 s of 1.7 s, measured with a require timer), paid in every one of those
// processes: three per preview, two per up, one per destroy. Here those two requires, made by @pulumi/pulumi's own
// files, return a stand-in that loads the real module at its first use: the program still loads TypeScript when
// it serializes the providers' stubs; the provider and the pack never do.
// Anything else, and any other version's layout, goes through untouched.
"use strict";
const Module = require("node:module");
const path = require("node:path");

/** The requests made lazy, by who makes them (a file of @pulumi/pulumi's runtime/closure). */
const LAZY = new Set(["@npmcli/arborist", "../../typescript-shim"]);
const PULUMI_CLOSURE = `${path.sep}@pulumi${path.sep}pulumi${path.sep}runtime${path.sep}closure${path.sep}`;

const load = Module._load;
Module._load = function lazyLoad(request, parent, isMain) {
    if (!LAZY.has(request) || !parent || typeof parent.filename !== "string" || !parent.filename.includes(PULUMI_CLOSURE)) {
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
