import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { parseArgs } from "../../core/component";
import { Labels } from "../../core/labels";
import { demoServices, type DemoOptions } from "../demo";
import { SandboxSchema, sandboxOrder, type SandboxService, type SandboxServiceInput } from "./sandbox";

/** Arguments of {@link DockerSandbox}. */
export interface DockerSandboxArgs {
    /**
     * Prefix of every container, network and volume name (`<prefix>-api`, `<prefix>-data`, ...). Lowercase
     * letters, digits and dashes, at most 32. Defaults to the component's name.
     */
    prefix?: string;
    /**
     * The services to run. Defaults to the bundled demo system (docs/demo.md), with the same topology as
     * demo/compose.yaml. Each service joins the networks it names (created by the sandbox, with the service name as
     * its alias there), publishes ports on 127.0.0.1 only, and is created after the services in its `dependsOn`.
     */
    services?: SandboxServiceInput[];
    /** Options of the default demo topology (its loopback ports); ignored when `services` is given. */
    demo?: DemoOptions;
    /**
     * How long to wait for each container that has a healthcheck to become healthy: "90s", "3m", or milliseconds.
     * Defaults to "3m".
     */
    waitTimeout?: string | number;
}

const pairs = (o: Record<string, string> | undefined) => Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b));

/**
 * An environment in pure Pulumi on @pulumi/docker, for users who do not want Compose: Docker networks, volumes and
 * containers declared as resources, by default the bundled demo system. Every object carries
 * `dev.faultline.role` (`demo` for the demo topology, `sandbox` otherwise), and services marked `optIn` carry
 * `chaos.opt-in=true`, the label the policy pack requires on fault targets.
 *
 * ```ts
 * const sandbox = new DockerSandbox("faultline-demo", {});   // the demo: faultline-demo-api, -worker, ...
 * export const api = sandbox.containers["api"];
 * ```
 *
 * It needs the Docker provider plugin (pulumi-docker). Images are used by name (no RemoteImage): build them first
 * with `npm run setup`, or point the FAULTLINE_IMAGE_* variables at images the engine can pull.
 */
export class DockerSandbox extends pulumi.ComponentResource {
    static readonly type = "faultline:docker:DockerSandbox";

    /** The name prefix. */
    readonly prefix: string;
    /** Network name by key (e.g. `data` → `faultline-demo-data`). */
    readonly networks: Record<string, pulumi.Output<string>>;
    /** Container name by service. */
    readonly containers: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: DockerSandboxArgs, opts?: pulumi.ComponentResourceOptions) {
        super(DockerSandbox.type, name, {}, opts);
        const parsed = parseArgs(SandboxSchema, args, DockerSandbox.type, name);
        const isDemo = parsed.services === undefined;
        // The default topology is validated like one given by the user: a broken default fails here, not in Docker.
        const services: SandboxService[] =
            parsed.services ?? parseArgs(SandboxSchema, { services: demoServices(parsed.demo) }, DockerSandbox.type, name).services!;
        const prefix = parsed.prefix ?? name;
        const role = isDemo ? "demo" : "sandbox";
        const baseLabels = { [Labels.role]: role, [Labels.sandbox]: prefix };

        const networkKeys = [...new Set(services.flatMap((s) => s.networks))].sort();
        const networks: Record<string, docker.Network> = {};
        for (const key of networkKeys) {
            networks[key] = new docker.Network(
                `${name}-net-${key}`,
                { name: `${prefix}-${key}`, driver: "bridge", labels: pairs(baseLabels).map(([label, value]) => ({ label, value })) },
                { parent: this },
            );
        }
        const volumeKeys = [...new Set(services.flatMap((s) => (s.volumes ?? []).map((v) => v.volume)))].sort();
        const volumes: Record<string, docker.Volume> = {};
        for (const key of volumeKeys) {
            volumes[key] = new docker.Volume(
                `${name}-vol-${key}`,
                { name: `${prefix}-${key}`, labels: pairs(baseLabels).map(([label, value]) => ({ label, value })) },
                { parent: this },
            );
        }

        const waitS = Math.ceil(parsed.waitTimeout / 1000);
        const containers: Record<string, docker.Container> = {};
        // Created in dependency order, so that each container's dependsOn already exists.
        for (const svcName of sandboxOrder(services)!) {
            const s = services.find((x) => x.name === svcName)!;
            const labels = { ...baseLabels, ...(s.optIn ? { "chaos.opt-in": "true" } : {}), ...s.labels };
            containers[s.name] = new docker.Container(
                `${name}-${s.name}`,
                {
                    name: `${prefix}-${s.name}`,
                    image: s.image,
                    ...(s.command ? { command: s.command } : {}),
                    envs: pairs(s.env).map(([k, v]) => `${k}=${v}`),
                    labels: pairs(labels).map(([label, value]) => ({ label, value })),
                    networksAdvanced: s.networks.map((n) => ({ name: networks[n]!.name, aliases: [s.name] })),
                    ports: (s.ports ?? []).map((p) => ({ internal: p.internal, external: p.external, ip: "127.0.0.1" })),
                    ...(s.healthcheck
                        ? {
                              healthcheck: { tests: s.healthcheck.test, interval: s.healthcheck.interval, timeout: s.healthcheck.timeout, retries: s.healthcheck.retries },
                              wait: true,
                              waitTimeout: waitS,
                          }
                        : {}),
                    ...(s.memoryMb !== undefined ? { memory: s.memoryMb } : {}),
                    ...(s.cpus !== undefined ? { cpus: String(s.cpus) } : {}),
                    ...(s.tmpfs ? { tmpfs: s.tmpfs } : {}),
                    volumes: (s.volumes ?? []).map((v) => ({ volumeName: volumes[v.volume]!.name, containerPath: v.path })),
                    uploads: (s.files ?? []).map((f) => ({ file: f.path, content: f.content })),
                    ...(s.init ? { init: true } : {}),
                    restart: "unless-stopped",
                    mustRun: true,
                },
                { parent: this, dependsOn: (s.dependsOn ?? []).map((d) => containers[d]!) },
            );
        }

        this.prefix = prefix;
        this.networks = Object.fromEntries(Object.entries(networks).map(([k, n]) => [k, n.name]));
        this.containers = Object.fromEntries(Object.entries(containers).map(([k, c]) => [k, c.name]));
        this.registerOutputs({ prefix: this.prefix, networks: this.networks, containers: this.containers });
    }
}
