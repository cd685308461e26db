// The demo is declared twice, once for Compose (demo/compose.yaml) and once for DockerSandbox
// (components/docker/demo.ts). This test resolves the Compose file with the real `docker compose config` and checks
// that both declare the same services, the same way.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCompose } from "../../components/docker/environments/compose";
import { demoServices } from "../../components/docker/demo";
import { SandboxServiceSchema } from "../../components/docker/environments/sandbox";
import { DEMO_COMPOSE_FILE } from "../helpers/demo";

describe("demo topology: demo/compose.yaml and components/docker/demo.ts agree", () => {
    it("declares the same services with the same images, commands, env, networks, ports, limits and checks", async () => {
        for (const k of Object.keys(process.env)) if (k.startsWith("FAULTLINE_IMAGE_")) delete process.env[k];
        const { stdout } = await runCompose(
            { composeFile: DEMO_COMPOSE_FILE, projectName: "flt-topology", env: {} },
            ["config", "--format", "json"],
            60_000,
        );
        const compose = JSON.parse(stdout).services as Record<string, any>;
        const fromCompose = Object.entries(compose)
            .map(([name, s]) => ({
                name,
                image: s.image,
                command: s.command,
                env: s.environment ?? {},
                networks: Object.keys(s.networks).sort(),
                ports: (s.ports ?? []).map((p: any) => `${p.host_ip}:${p.published}:${p.target}`),
                healthcheck: s.healthcheck.test,
                optIn: s.labels["chaos.opt-in"] === "true",
                role: s.labels["dev.faultline.role"],
                memoryMb: s.mem_limit ? Number(s.mem_limit) / 2 ** 20 : undefined,
                cpus: s.cpus,
                tmpfs: s.tmpfs ?? [],
                volumes: (s.volumes ?? []).filter((v: any) => v.type === "volume").map((v: any) => `${v.source}:${v.target}`),
                init: s.init ?? false,
                dependsOn: Object.keys(s.depends_on ?? {}).sort(),
                restart: s.restart,
            }))
            .sort((a, b) => a.name.localeCompare(b.name));
        const fromSandbox = demoServices()
            .map((input) => SandboxServiceSchema.parse(input))
            .map((s) => ({
                name: s.name,
                image: s.image,
                command: s.command,
                env: s.env ?? {},
                networks: [...s.networks].sort(),
                ports: (s.ports ?? []).map((p) => `127.0.0.1:${p.external}:${p.internal}`),
                healthcheck: s.healthcheck!.test,
                optIn: s.optIn,
                role: "demo",
                memoryMb: s.memoryMb,
                cpus: s.cpus,
                tmpfs: Object.entries(s.tmpfs ?? {}).map(([p, o]) => `${p}:${o}`),
                volumes: (s.volumes ?? []).map((v) => `${v.volume}:${v.path}`),
                init: s.init,
                dependsOn: [...(s.dependsOn ?? [])].sort(),
                restart: "unless-stopped",
            }))
            .sort((a, b) => a.name.localeCompare(b.name));
        assert.deepEqual(fromSandbox, fromCompose);
    });
});
