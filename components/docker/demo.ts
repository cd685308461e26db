// The bundled demo system's topology (docs/demo.md) as data: the same services, networks and settings as
// demo/compose.yaml, for DockerSandbox (pure Pulumi) and for anything that needs the demo's names.
// test/demo/topology.real.test.ts checks that the two declarations agree.
import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_ROOT } from "../core/modules";
import type { SandboxServiceInput } from "./environments/sandbox";

/** The Toxiproxy configuration of the demo (demo/toxiproxy.json): proxies `postgres` and `redis`. */
export const DEMO_TOXIPROXY_CONFIG = path.join(PACKAGE_ROOT, "demo", "toxiproxy.json");

/** Names of the demo's containers, networks and volume for a project (Compose) or prefix (DockerSandbox). */
export function demoNames(prefix: string) {
    return {
        api: `${prefix}-api`,
        worker: `${prefix}-worker`,
        postgres: `${prefix}-postgres`,
        redis: `${prefix}-redis`,
        /** The Toxiproxy container; its API listens on 8474 (published on 127.0.0.1). */
        toxiproxy: `${prefix}-toxiproxy`,
        /** api, worker and toxiproxy. */
        appNetwork: `${prefix}-app`,
        /** toxiproxy, postgres and redis. */
        dataNetwork: `${prefix}-data`,
        redisVolume: `${prefix}-redis-data`,
    };
}

/** Options of {@link demoServices}. */
export interface DemoOptions {
    /** Loopback port of the API. Defaults to 18780. */
    apiPort?: number;
    /** Loopback port of the Toxiproxy API. Defaults to 18474. */
    toxiproxyPort?: number;
}

const health = (test: string[]) => ({ test, interval: "2s", timeout: "2s", retries: 30 });
const httpCheck = (port: number, urlPath: string) =>
    health(["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${urlPath} HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '`]);

/**
 * The demo's services, as demo/compose.yaml declares them. Image names come from the FAULTLINE_IMAGE_* variables
 * (scripts/images.env), read when this is called.
 */
export function demoServices(opts: DemoOptions = {}): SandboxServiceInput[] {
    const env = process.env;
    const data = env.FAULTLINE_IMAGE_DEMO_DATA ?? "faultline/demo-data:1";
    const app = env.FAULTLINE_IMAGE_DEMO_APP ?? "faultline/demo-app:1";
    const appEnv = {
        PGHOST: "toxiproxy",
        PGPORT: "5432",
        PGUSER: "demo",
        PGPASSWORD: "demo",
        PGDATABASE: "demo",
        REDIS_URL: "redis://toxiproxy:6379",
    };
    return [
        {
            name: "postgres",
            image: env.FAULTLINE_IMAGE_POSTGRES ?? data,
            command: ["postgres", "-c", "shared_buffers=32MB", "-c", "max_connections=50", "-c", "fsync=off"],
            env: { POSTGRES_USER: "demo", POSTGRES_PASSWORD: "demo", POSTGRES_DB: "demo" },
            tmpfs: { "/var/lib/postgresql/data": "size=256m" },
            memoryMb: 512,
            networks: ["data"],
            optIn: true,
            healthcheck: health(["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "demo", "-d", "demo"]),
        },
        {
            name: "redis",
            image: env.FAULTLINE_IMAGE_REDIS ?? data,
            command: ["redis-server", "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "no"],
            volumes: [{ volume: "redis-data", path: "/data" }],
            memoryMb: 256,
            networks: ["data"],
            optIn: true,
            healthcheck: health(["CMD", "redis-cli", "ping"]),
        },
        {
            name: "toxiproxy",
            image: env.FAULTLINE_IMAGE_TOXIPROXY ?? "faultline/toxiproxy:1",
            command: ["toxiproxy", "-host", "0.0.0.0", "-config", "/etc/toxiproxy/proxies.json"],
            files: [{ path: "/etc/toxiproxy/proxies.json", content: fs.readFileSync(DEMO_TOXIPROXY_CONFIG, "utf8") }],
            ports: [{ internal: 8474, external: opts.toxiproxyPort ?? 18474 }],
            networks: ["app", "data"],
            optIn: true,
            healthcheck: health(["CMD", "sh", "-c", "wget -q -O - http://127.0.0.1:8474/proxies | grep -q '\"redis\"'"]),
            dependsOn: ["postgres", "redis"],
        },
        {
            name: "api",
            image: app,
            command: ["node", "/app/api.js"],
            init: true,
            env: { ...appEnv, DEMO_COMPONENT: "api" },
            ports: [{ internal: 8080, external: opts.apiPort ?? 18780 }],
            cpus: 1,
            memoryMb: 256,
            networks: ["app"],
            optIn: true,
            healthcheck: httpCheck(8080, "/ready"),
            dependsOn: ["toxiproxy"],
        },
        {
            name: "worker",
            image: app,
            command: ["node", "/app/worker.js"],
            init: true,
            env: { ...appEnv, DEMO_COMPONENT: "worker" },
            cpus: 1,
            memoryMb: 256,
            networks: ["app"],
            optIn: true,
            healthcheck: httpCheck(8081, "/"),
            dependsOn: ["toxiproxy"],
        },
    ];
}
