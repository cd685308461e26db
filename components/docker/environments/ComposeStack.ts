import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseArgs } from "../../core/component";
import { providerStub } from "../../core/providerStub";
import { StubbedResource } from "../../core/stubbedResource";
import { moduleSpecifier } from "../../core/modules";
import type { ComposeContainer } from "./compose";
import { ComposeSpec } from "../../../spec/environment";
import { composeHash, resolveComposeFile } from "./compose";

/** Arguments of {@link ComposeStack}. */
export interface ComposeStackArgs {
    /**
     * Path of the Compose file, absolute or relative to the Pulumi project directory (where the program runs),
     * e.g. `demo/compose.yaml` for the bundled demo system. It must exist when the program runs; `preview` also
     * checks that Compose accepts it (`docker compose config`).
     */
    composeFile: string;
    /**
     * Compose project name (lowercase letters, digits, `-`, `_`). It prefixes every container, network and volume
     * of the environment, and is how `read` and `delete` find them. Changing it replaces the environment.
     */
    projectName: string;
    /**
     * Variables for the file's `${...}` interpolation, e.g. `{ FAULTLINE_DEMO_API_PORT: "18780" }`. They win over
     * the environment of the Pulumi process. `COMPOSE_PROJECT_NAME` is always set to `projectName`. Defaults to none.
     */
    env?: Record<string, string>;
    /**
     * How long `up` waits for every service to be running and healthy: "90s", "3m", or a number of milliseconds.
     * Defaults to "3m"; at most 24h. If it runs out, the environment is taken down again and `up` fails.
     */
    waitTimeout?: string | number;
}

/** Where Pulumi.yaml is: relative Compose paths are resolved from there, whatever the program's directory. */
function projectRoot(): string {
    try {
        return pulumi.runtime.getRootDirectory();
    } catch {
        return process.cwd();
    }
}

/** The component's schema: the Compose spec, with the file resolved against the project directory and checked. */
const ComposeStackSchema = ComposeSpec.extend({
    composeFile: ComposeSpec.shape.composeFile.transform((file, ctx) => {
        const abs = resolveComposeFile(file, projectRoot());
        if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
            ctx.addIssue({ code: "custom", message: `no file at ${abs}; give the path of a Compose file (absolute, or relative to the Pulumi project)` });
            return z.NEVER;
        }
        return abs;
    }),
});

/** Inputs of the ComposeProject resource as the engine stores them. */
export interface ComposeProjectInputs {
    spec: ComposeSpec;
    /** Hash of the file's content and the variables: a change means `up` again. */
    hash: string;
}

/** Outputs: the inputs plus the project's containers as last seen. */
export interface ComposeProjectOutputs extends ComposeProjectInputs {
    containers: ComposeContainer[];
}

/** One Compose project as a Pulumi resource; {@link ComposeStack} creates it as its child. */
class ComposeProject extends StubbedResource {
    declare readonly containers: pulumi.Output<ComposeContainer[]>;

    constructor(name: string, inputs: ComposeProjectInputs, opts?: pulumi.CustomResourceOptions) {
        const provider = providerStub(
            moduleSpecifier(require.resolve("./composeProvider")),
            "composeProvider",
            [],
            ["check", "diff", "read", "update", "delete"],
        );
        super(provider, name, { ...inputs, containers: undefined }, opts, "faultline", "DockerComposeProject");
    }
}

/**
 * An environment, not a fault: a Compose project that an experiment stack owns. `pulumi up` runs
 * `docker compose up --wait` (every service running and healthy, or the project is taken down again and `up`
 * fails), `pulumi destroy` runs `docker compose down -v --remove-orphans`, and `pulumi refresh` sees whether its
 * containers still exist. Faults that depend on it are injected after it is healthy and reverted before it goes.
 *
 * ```ts
 * const sandbox = new ComposeStack("sandbox", { composeFile: "demo/compose.yaml", projectName: "faultline-demo" });
 * new NetworkDisconnect("db-partition", { container: "faultline-demo-postgres", network: "faultline-demo-data",
 *     ttl: "5m" }, { dependsOn: sandbox });
 * ```
 */
export class ComposeStack extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:ComposeStack";

    /** The Compose project name. */
    readonly projectName: string;
    /** The Compose file, as an absolute path. */
    readonly composeFile: string;
    /** The project's containers (name, service, state, health), as seen after `up` or `refresh`. */
    readonly containers: pulumi.Output<ComposeContainer[]>;

    constructor(name: string, args: ComposeStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ComposeStack.type, name, {}, opts);
        const spec = parseArgs(ComposeStackSchema, args, ComposeStack.type, name);

        const project = new ComposeProject(`${name}-compose`, { spec, hash: composeHash(spec) }, { parent: this });

        this.projectName = spec.projectName;
        this.composeFile = spec.composeFile;
        this.containers = project.containers;
        this.registerOutputs({ projectName: this.projectName, composeFile: this.composeFile, containers: this.containers });
    }
}
