// Pulumi-mock test: the Docker provider plugin cannot run here, so DockerSandbox's children are checked as the
// engine would receive them (type, name, inputs), with pulumi.runtime.setMocks.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, beforeEach, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";

interface Created {
    type: string;
    name: string;
    inputs: Record<string, any>;
}
const created: Created[] = [];

pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            created.push({ type: args.type, name: args.name, inputs: args.inputs });
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
    },
    "faultline",
    "test-mock",
    false,
);

/** Resolves an Output (mocks resolve them asynchronously). */
const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
const byName = (name: string) => created.find((c) => c.name === name)!;
const labels = (c: Created) => Object.fromEntries((c.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));

describe("DockerSandbox (Pulumi mocks)", () => {
    let DockerSandbox: typeof import("../../../components/docker/environments/DockerSandbox").DockerSandbox;
    const toxiproxyConfig = fs.readFileSync(path.resolve(__dirname, "../../../demo/toxiproxy.json"), "utf8");

    before(async () => {
        for (const k of Object.keys(process.env)) if (k.startsWith("FAULTLINE_IMAGE_")) delete process.env[k];
        ({ DockerSandbox } = await import("../../../components/docker/environments/DockerSandbox"));
    });
    beforeEach(() => {
        created.length = 0;
    });

    it("declares the demo topology: two networks, a volume, five containers after their dependencies", async () => {
        const sb = new DockerSandbox("demo1", {});
        assert.deepEqual(await value(pulumi.all(sb.containers)), {
            postgres: "demo1-postgres",
            redis: "demo1-redis",
            toxiproxy: "demo1-toxiproxy",
            api: "demo1-api",
            worker: "demo1-worker",
        });
        assert.deepEqual(await value(pulumi.all(sb.networks)), { app: "demo1-app", data: "demo1-data" });
        assert.deepEqual(
            created.map((c) => `${c.type} ${c.name}`).sort(),
            [
                "docker:index/container:Container demo1-api",
                "docker:index/container:Container demo1-postgres",
                "docker:index/container:Container demo1-redis",
                "docker:index/container:Container demo1-toxiproxy",
                "docker:index/container:Container demo1-worker",
                "docker:index/network:Network demo1-net-app",
                "docker:index/network:Network demo1-net-data",
                "docker:index/volume:Volume demo1-vol-redis-data",
                "faultline:docker:DockerSandbox demo1",
            ],
        );
        // The engine registers a container only after its dependsOn: the data services, then Toxiproxy, then the app.
        const at = (n: string) => created.findIndex((c) => c.name === `demo1-${n}`);
        assert.ok(at("postgres") < at("toxiproxy") && at("redis") < at("toxiproxy"), "postgres and redis before toxiproxy");
        assert.ok(at("toxiproxy") < at("api") && at("toxiproxy") < at("worker"), "toxiproxy before api and worker");
    });

    it("gives the API container exactly the compose file's settings, published on 127.0.0.1 only", async () => {
        const sb = new DockerSandbox("demo2", { demo: { apiPort: 28080, toxiproxyPort: 28474 } });
        await value(pulumi.all(sb.containers));
        assert.deepEqual(byName("demo2-api").inputs, {
            name: "demo2-api",
            image: "faultline/demo-app:1",
            command: ["node", "/app/api.js"],
            envs: [
                "DEMO_COMPONENT=api",
                "PGDATABASE=demo",
                "PGHOST=toxiproxy",
                "PGPASSWORD=demo",
                "PGPORT=5432",
                "PGUSER=demo",
                "REDIS_URL=redis://toxiproxy:6379",
            ],
            labels: [
                { label: "chaos.opt-in", value: "true" },
                { label: "dev.faultline.role", value: "demo" },
                { label: "dev.faultline.sandbox", value: "demo2" },
            ],
            networksAdvanced: [{ name: "demo2-app", aliases: ["api"] }],
            ports: [{ internal: 8080, external: 28080, ip: "127.0.0.1" }],
            healthcheck: {
                tests: ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"],
                interval: "2s",
                timeout: "2s",
                retries: 30,
            },
            wait: true,
            waitTimeout: 180,
            memory: 256,
            cpus: "1",
            volumes: [],
            uploads: [],
            init: true,
            restart: "unless-stopped",
            mustRun: true,
        });
        assert.deepEqual(byName("demo2-toxiproxy").inputs.ports, [{ internal: 8474, external: 28474, ip: "127.0.0.1" }]);
    });

    it("wires the data services: tmpfs for Postgres, a volume for Redis, Toxiproxy's proxies file on both networks", async () => {
        const sb = new DockerSandbox("demo3", {});
        await value(pulumi.all(sb.containers));
        const pg = byName("demo3-postgres").inputs;
        assert.deepEqual(pg.tmpfs, { "/var/lib/postgresql/data": "size=256m" });
        assert.deepEqual(pg.envs, ["POSTGRES_DB=demo", "POSTGRES_PASSWORD=demo", "POSTGRES_USER=demo"]);
        assert.deepEqual(pg.networksAdvanced, [{ name: "demo3-data", aliases: ["postgres"] }]);
        assert.equal(pg.memory, 512);
        assert.deepEqual(byName("demo3-redis").inputs.volumes, [{ volumeName: "demo3-redis-data", containerPath: "/data" }]);
        const tp = byName("demo3-toxiproxy").inputs;
        assert.deepEqual(tp.uploads, [{ file: "/etc/toxiproxy/proxies.json", content: toxiproxyConfig }]);
        assert.deepEqual(tp.networksAdvanced, [
            { name: "demo3-app", aliases: ["toxiproxy"] },
            { name: "demo3-data", aliases: ["toxiproxy"] },
        ]);
        for (const c of created.filter((x) => x.type === "docker:index/container:Container")) {
            assert.equal(labels(c)["chaos.opt-in"], "true", `${c.name} opts in to experiments`);
            assert.equal(labels(c)["dev.faultline.role"], "demo", `${c.name} is labelled as the demo`);
            for (const p of c.inputs.ports as { ip: string }[]) assert.equal(p.ip, "127.0.0.1", `${c.name} publishes on loopback only`);
        }
        for (const n of created.filter((x) => x.type !== "docker:index/container:Container" && x.type.startsWith("docker:"))) {
            assert.deepEqual(labels(n), { "dev.faultline.role": "demo", "dev.faultline.sandbox": "demo3" }, n.name);
        }
    });

    it("takes a user-given list of services, creates them after their dependencies, and labels them as a sandbox", async () => {
        const sb = new DockerSandbox("mine", {
            prefix: "shop",
            services: [
                { name: "web", image: "nginx:1", networks: ["front"], dependsOn: ["db"], optIn: true, ports: [{ internal: 80, external: 8088 }] },
                { name: "db", image: "postgres:15", networks: ["front"], env: { POSTGRES_PASSWORD: "x" } },
            ],
        });
        assert.deepEqual(await value(pulumi.all(sb.containers)), { db: "shop-db", web: "shop-web" });
        assert.deepEqual(
            created.filter((c) => c.type === "docker:index/container:Container").map((c) => c.name),
            ["mine-db", "mine-web"],
        );
        assert.deepEqual(labels(byName("mine-db")), { "dev.faultline.role": "sandbox", "dev.faultline.sandbox": "shop" });
        assert.deepEqual(labels(byName("mine-web")), { "chaos.opt-in": "true", "dev.faultline.role": "sandbox", "dev.faultline.sandbox": "shop" });
        assert.equal(byName("mine-db").inputs.wait, undefined, "no healthcheck, so nothing to wait for");
        assert.deepEqual(byName("mine-net-front").inputs, {
            name: "shop-front",
            driver: "bridge",
            labels: [
                { label: "dev.faultline.role", value: "sandbox" },
                { label: "dev.faultline.sandbox", value: "shop" },
            ],
        });
    });

    it("reports every mistake at once, by field, before creating anything", () => {
        assert.throws(
            () =>
                new DockerSandbox("bad", {
                    demo: { apiPort: 80 },
                    services: [
                        { name: "a", image: "x", networks: ["n"], dependsOn: ["nope"] },
                        { name: "a", image: "", networks: [], ports: [{ internal: 80, external: 70000 }] },
                    ],
                }),
            (err: Error) => {
                assert.equal(
                    err.message,
                    [
                        'invalid arguments for faultline:docker:DockerSandbox "bad":',
                        "  - services[1].image: must not be empty: give an image name",
                        '  - services[1].networks: give at least one network, e.g. ["app"]',
                        "  - services[1].ports[0].external: a port is 1-65535",
                        '  - services[1].name: duplicate service name "a"',
                        '  - services[0].dependsOn[0]: no service "nope" in this sandbox; services: a',
                        "  - demo: only applies to the default demo topology; remove demo, or remove services",
                    ].join("\n"),
                );
                return true;
            },
        );
        assert.throws(
            () =>
                new DockerSandbox("cycle", {
                    services: [
                        { name: "a", image: "x", networks: ["n"], dependsOn: ["b"] },
                        { name: "b", image: "x", networks: ["n"], dependsOn: ["a"] },
                    ],
                }),
            /services: the services' dependsOn form a cycle; remove one dependency/,
        );
        assert.deepEqual(created.filter((c) => c.type !== "faultline:docker:DockerSandbox"), [], "no child was created");
    });
});
