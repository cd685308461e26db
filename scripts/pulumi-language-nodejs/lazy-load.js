// Preloaded (NODE_OPTIONS --require, runner/env.ts) into the Node.js processes Pulumi starts for faultline: the
// program, the dynamic provider and the policy pack (and, scripts/test.sh, the test processes). @pulumi/pulumi
// requires at load three heavy modules these processes rarely or never use:
// - @npmcli/arborist and TypeScript, which only closure serialization uses (computeCodePaths, for packaging a
//   function with its dependencies; parsing a serialized function's source). faultline serializes no closure: its
//   providers' code is written as text (components/core/providerStub.ts). Together they were about 60 % of loading
//   @pulumi/pulumi (1.1 s of 1.7 s, measured with a require timer).
// - the Automation API (`automation`, which the SDK's index exports): about 60 ms more, which only the runner uses.
// - in the program (cmd/run/tracing.js), the OpenTelemetry SDK and Zipkin exporter that only `--tracing` starts:
//   about 190 ms of each program's start. tracing.js takes named exports (classes and functions) at load and calls
//   them only when tracing is on, so each of those exports is a stand-in that loads the module when it is called.
// They were paid in every one of those processes: three per preview, two per up, one per destroy.
// dockerode, which the dynamic provider loads at its first Docker client (every up, destroy and refresh), requires at
// load two modules faultline never uses: BuildKit's session (`./session`, with @grpc/grpc-js and its proto loader),
// which only a BuildKit image build opens, and ssh2 (through docker-modem), which only a `ssh://` engine needs. They
// were about 145 ms of dockerode's 190 ms.
// Here those requires, made by those packages' own files, return a stand-in that loads the real module at its first
// use. Anything else, and any other version's layout, goes through untouched.
"use strict";
const Module = require("node:module");
const path = require("node:path");

const PULUMI = `${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
const CLOSURE = `${PULUMI}runtime${path.sep}closure${path.sep}`;
const TRACING = `${PULUMI}cmd${path.sep}run${path.sep}tracing.js`;
const DOCKERODE = `${path.sep}dockerode${path.sep}lib${path.sep}docker.js`;
const DOCKER_MODEM_SSH = `${path.sep}docker-modem${path.sep}lib${path.sep}ssh.js`;
/**
 * The requests made lazy: where the file that makes them lies (a part of its path), and what stands in for the module:
 * "module", an object whose every use loads it; "calls", an object of exports each loaded when it is called or
 * constructed (for a file that takes its named exports at load); "function", for a module that is itself a function.
 */
const LAZY = new Map([
    ["@npmcli/arborist", { where: CLOSURE, stand: "module" }],
    ["../../typescript-shim", { where: CLOSURE, stand: "module" }],
    ["./automation", { where: `${PULUMI}index.js`, stand: "module" }],
    ...["resources", "sdk-trace-base", "exporter-zipkin", "instrumentation-grpc", "sdk-trace-node", "instrumentation"].map((m) => [`@opentelemetry/${m}`, { where: TRACING, stand: "calls" }]),
    ["./session", { where: DOCKERODE, stand: "function" }],
    ["ssh2", { where: DOCKER_MODEM_SSH, stand: "calls" }],
]);

const load = Module._load;
Module._load = function lazyLoad(request, parent, isMain) {
    const lazy = LAZY.get(request);
    if (!lazy || !parent || typeof parent.filename !== "string" || !parent.filename.includes(lazy.where)) {
        return load.apply(this, arguments);
    }
    let real;
    const target = () => (real ??= load.call(this, request, parent, isMain));
    if (lazy.stand === "function") return loadedWhenCalled(target);
    return lazy.stand === "calls" ? exportsLoadedWhenCalled(target) : moduleLoadedWhenUsed(target);
};

/** A module whose every use (a property read, `in`, its keys) loads `target()` and goes to it. */
function moduleLoadedWhenUsed(target) {
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
}

/** A function that loads `fn()` when it is called or constructed, or a property of it is read. */
function loadedWhenCalled(fn) {
    return new Proxy(function standIn() {}, {
        apply: (_f, self, args) => Reflect.apply(fn(), self, args),
        construct: (_f, args) => Reflect.construct(fn(), args),
        get: (_f, k) => fn()[k],
    });
}

/** Exports read at load without loading: each is a function that loads `target()` when called or constructed. */
function exportsLoadedWhenCalled(target) {
    return new Proxy({}, { get: (_, key) => (key === "__esModule" ? true : loadedWhenCalled(() => target()[key])) });
}
