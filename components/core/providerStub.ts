// What Pulumi serializes into state for a dynamic provider. Pulumi stores a provider's code with every resource that
// uses it, in the resource's inputs and again in its outputs, and rewrites the whole checkpoint after every step. A
// provider class serialized with its helpers is 15-30 KB (the closure serializer pulls in every module binding it
// touches), so a 100-fault stack carried 3 MB of code that the engine wrote out about 200 times per `up`. The stub
// below is about 2 KB, most of it loadModule's own source: each method loads the real provider from a module, by its
// location-free specifier (core/modules.ts), inside the provider's own process.

/**
 * Loads a module inside the dynamic provider's own process. `modulePath` is a location-free specifier
 * (core/modules.ts: `faultline:<path>`), resolved against the faultline package found from the working directory
 * (the Pulumi project: this repository itself, or its node_modules/faultline), compiled dist/ first; or an absolute
 * path (a user's own driver, and state written before specifiers). That process is a plain `node` that never ran
 * ts-node, so a TypeScript module (this repository without a build) needs ts-node registered first. Kept free of
 * imports because Pulumi serializes it into state.
 */
export function loadModule(modulePath: string): any {
    let file = modulePath;
    if (modulePath.startsWith("faultline:")) {
        const fs = require("node:fs") as typeof import("node:fs");
        const path = require("node:path") as typeof import("node:path");
        const rel = modulePath.slice("faultline:".length);
        let root = process.env.FAULTLINE_PACKAGE_ROOT;
        for (let d = process.cwd(); !root; d = path.dirname(d)) {
            const own = path.join(d, "package.json");
            if (fs.existsSync(own) && (JSON.parse(fs.readFileSync(own, "utf8")) as { name?: string }).name === "faultline") root = d;
            else if (fs.existsSync(path.join(d, "node_modules", "faultline", "package.json"))) root = path.join(d, "node_modules", "faultline");
            else if (path.dirname(d) === d) throw new Error(`cannot load ${modulePath}: no faultline package at or above ${process.cwd()}; install it in the Pulumi project (npm install faultline)`);
        }
        const js = path.join(root, "dist", `${rel}.js`);
        file = fs.existsSync(js) ? js : path.join(root, `${rel}.ts`);
    }
    if (file.endsWith(".ts")) {
        const g = globalThis as { __faultlineTsNode?: boolean };
        if (!g.__faultlineTsNode) {
            require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
            g.__faultlineTsNode = true;
        }
    }
    return require(file);
}

/** The optional calls of a dynamic provider (`create` is required); a stub has exactly those its real provider has. */
export type OptionalProviderMethod = "check" | "diff" | "read" | "update" | "delete";

/** A dynamic provider as Pulumi stores it in state: the text of the module its provider process loads. */
export interface ProviderStub {
    readonly text: string;
}

/**
 * A dynamic provider that delegates every call to `load(module)[factory](...args)`, the real provider, built in the
 * provider's process on each call (providers here hold nothing but module paths). `args` are plain JSON values.
 * Besides `create`, list in `methods` exactly the calls the real provider implements, since the engine treats a
 * missing `check`, `diff`, `read`, `update` or `delete` as "use the default".
 *
 * The text is written here, not produced by Pulumi's closure serializer (`pulumi.dynamic.Resource`): that serializer
 * parses the captured function's source with TypeScript, and loading TypeScript cost 0.3-0.45 s of every program
 * run (preview and up) for a stub that captures nothing but strings. The text follows the contract of Pulumi's
 * provider process (@pulumi/pulumi cmd/dynamic-provider): a CommonJS module whose `handler()` returns the provider.
 */
export function providerStub(module: string, factory: string, args: readonly unknown[], methods: readonly OptionalProviderMethod[]): ProviderStub {
    const bound = JSON.stringify([module, factory, args, methods]);
    return {
        text: [
            `"use strict";`,
            // Parenthesized: a function expression whatever name the compiler gave it.
            `const loadModule = (${loadModule.toString()});`,
            `exports.handler = () => {`,
            `    const [module, factory, args, methods] = ${bound};`,
            `    const call = (method) => (...callArgs) => loadModule(module)[factory](...args)[method](...callArgs);`,
            `    const provider = { create: call("create") };`,
            `    for (const method of methods) provider[method] = call(method);`,
            `    return provider;`,
            `};`,
            ``,
        ].join("\n"),
    };
}
