// The schema of a sandbox: a list of services on Docker networks, declared in pure Pulumi by DockerSandbox.
// Free of @pulumi/pulumi so that the bundled demo's topology (demo.ts) and tests can use it without an engine.
import { z } from "zod";
import { LongDuration } from "../../../spec/fields";

const Key = z
    .string({ error: "required: a name of lowercase letters, digits and dashes" })
    .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, "use lowercase letters, digits and dashes (at most 32), e.g. api");

/** One container of a sandbox. */
export const SandboxServiceSchema = z
    .object({
        /** Service name: the container is `<prefix>-<name>`, and other services reach it by this name. */
        name: Key,
        /** Image name; it must exist locally or be pullable by the engine. */
        image: z.string({ error: "required: an image name, e.g. faultline/demo-app:1" }).min(1, "must not be empty: give an image name"),
        /** Command (the image's CMD is used when absent). */
        command: z.array(z.string()).optional(),
        /** Environment variables. */
        env: z.record(z.string(), z.string()).optional(),
        /** The sandbox networks the container joins (keys of the sandbox's networks), with its name as alias. */
        networks: z.array(Key).min(1, "give at least one network, e.g. [\"app\"]"),
        /** Ports published on 127.0.0.1 only (never on other addresses). */
        ports: z
            .array(
                z
                    .object({
                        internal: z.number().int().min(1).max(65535, "a port is 1-65535"),
                        external: z.number().int().min(1).max(65535, "a port is 1-65535"),
                    })
                    .strict(),
            )
            .optional(),
        /** Healthcheck; containers that have one are waited for until healthy. */
        healthcheck: z
            .object({
                /** As in Docker: ["CMD", ...] or ["CMD-SHELL", "..."]. */
                test: z.array(z.string()).min(2, 'give ["CMD", "program", ...] or ["CMD-SHELL", "command"]'),
                interval: z.string().default("2s"),
                timeout: z.string().default("2s"),
                retries: z.number().int().positive().default(30),
            })
            .strict()
            .optional(),
        /** Carries `chaos.opt-in=true`: the policy pack lets experiments target only such containers. */
        optIn: z.boolean().default(false),
        /** More labels. */
        labels: z.record(z.string(), z.string()).optional(),
        /** Memory limit in MiB. */
        memoryMb: z.number().int().positive().optional(),
        /** CPU limit, in CPUs (e.g. 1 or 0.5). */
        cpus: z.number().positive().optional(),
        /** tmpfs mounts: container path to mount options (e.g. "size=256m"). */
        tmpfs: z.record(z.string(), z.string()).optional(),
        /** Named volumes of the sandbox mounted at container paths. */
        volumes: z.array(z.object({ volume: Key, path: z.string().min(1) }).strict()).optional(),
        /** Files written into the container before it starts (e.g. a config file). */
        files: z.array(z.object({ path: z.string().min(1), content: z.string() }).strict()).optional(),
        /** Runs an init process (Docker's tini) as PID 1, so the main process can be killed like any other. */
        init: z.boolean().default(false),
        /** Services that must be up (and healthy, if they have a healthcheck) before this one is created. */
        dependsOn: z.array(Key).optional(),
    })
    .strict();
export type SandboxService = z.output<typeof SandboxServiceSchema>;
/** A service as users write it (defaults not yet applied). */
export type SandboxServiceInput = z.input<typeof SandboxServiceSchema>;

/** Checks the references between services: unique names, known dependencies, no cycles. */
function checkServices(services: SandboxService[], ctx: z.RefinementCtx): void {
    const index = new Map<string, number>();
    services.forEach((s, i) => {
        if (index.has(s.name)) ctx.addIssue({ code: "custom", path: ["services", i, "name"], message: `duplicate service name "${s.name}"` });
        else index.set(s.name, i);
    });
    let known = index.size === services.length;
    services.forEach((s, i) =>
        (s.dependsOn ?? []).forEach((d, j) => {
            if (!index.has(d)) {
                known = false;
                ctx.addIssue({ code: "custom", path: ["services", i, "dependsOn", j], message: `no service "${d}" in this sandbox; services: ${[...index.keys()].join(", ")}` });
            }
        }),
    );
    // A cycle is only meaningful once names are unique and every dependency exists.
    if (known && sandboxOrder(services) === undefined) {
        ctx.addIssue({ code: "custom", path: ["services"], message: "the services' dependsOn form a cycle; remove one dependency" });
    }
}

/** Service names in an order where every service comes after its dependencies; undefined on a cycle. */
export function sandboxOrder(services: Pick<SandboxService, "name" | "dependsOn">[]): string[] | undefined {
    const deps = new Map(services.map((s) => [s.name, (s.dependsOn ?? []).filter((d) => services.some((o) => o.name === d))]));
    const done: string[] = [];
    while (done.length < services.length) {
        const next = services.find((s) => !done.includes(s.name) && deps.get(s.name)!.every((d) => done.includes(d)));
        if (!next) return undefined;
        done.push(next.name);
    }
    return done;
}

/** Arguments of a sandbox, validated. */
export const SandboxSchema = z
    .object({
        /** Prefix of every container, network and volume name. Defaults to the component's name. */
        prefix: Key.optional(),
        /** The services. Defaults to the bundled demo system (components/docker/demo.ts). */
        services: z.array(SandboxServiceSchema).min(1, "give at least one service, or leave services out for the demo system").optional(),
        /** Loopback ports of the default demo topology. */
        demo: z
            .object({
                apiPort: z.number().int().min(1).max(65535, "a port is 1-65535").optional(),
                toxiproxyPort: z.number().int().min(1).max(65535, "a port is 1-65535").optional(),
            })
            .strict()
            .optional(),
        /** How long to wait for each container with a healthcheck to become healthy. Defaults to 3 minutes. */
        waitTimeout: LongDuration.default(180_000),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.services) checkServices(s.services, ctx);
        if (s.services && s.demo) {
            ctx.addIssue({ code: "custom", path: ["demo"], message: "only applies to the default demo topology; remove demo, or remove services" });
        }
    });
