import * as path from "node:path";
import type { ArmedFault, ReaperHost } from "../core/FaultResource";
import { dockerClient, isNotFound } from "../core/docker";
import { LABEL_PREFIX, Labels, ownerLabels } from "../core/labels";

/** Label with the Pulumi id of the fault a reaper guards. */
export const FAULT_ID_LABEL = `${LABEL_PREFIX}.fault-id`;
/** Label with the reaper's deadline (ISO 8601), for humans and `recover`. */
export const EXPIRES_LABEL = `${LABEL_PREFIX}.expires-at`;

/** The image reapers run in: the tools image, which has Node.js. */
function reaperImage(): string {
    return process.env.FAULTLINE_IMAGE_TOOLS ?? "faultline/tools:1";
}

let bundle: Promise<Buffer> | undefined;

/**
 * reaperMain.ts and every driver, bundled into one file. It is built from the code this process is running, at
 * first use, so a reaper always reverts with exactly the driver code that injected the fault.
 */
function reaperBundle(): Promise<Buffer> {
    bundle ??= (async () => {
        const esbuild = await import("esbuild");
        const here = __filename.endsWith(".ts") ? ".ts" : ".js";
        const result = await esbuild.build({
            entryPoints: [path.join(__dirname, `reaperMain${here}`)],
            bundle: true,
            platform: "node",
            target: "node18",
            format: "cjs",
            write: false,
            minify: true,
            logLevel: "silent",
            plugins: [
                {
                    // docker-modem requires its SSH transport (ssh2, with a native part) at load time; a reaper
                    // only ever talks to the local socket, so those modules are replaced by empty ones.
                    name: "stub-ssh",
                    setup(build) {
                        build.onResolve({ filter: /^(ssh2|cpu-features)$/ }, (a) => ({ path: a.path, namespace: "stub" }));
                        build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "module.exports = {};" }));
                    },
                },
            ],
        });
        return Buffer.from(result.outputFiles[0]!.contents);
    })();
    // A failed build is not cached: the next arm tries again.
    bundle.catch(() => (bundle = undefined));
    return bundle;
}

/** A one-file tar archive, enough for Docker's putArchive. */
function tarOf(name: string, content: Buffer): Buffer {
    const header = Buffer.alloc(512);
    const write = (s: string, off: number, len: number) => header.write(s, off, len, "ascii");
    write(name, 0, 100);
    write("0000644\0", 100, 8);
    write("0000000\0", 108, 8);
    write("0000000\0", 116, 8);
    write(content.length.toString(8).padStart(11, "0") + "\0", 124, 12);
    write(Math.floor(Date.now() / 1000).toString(8).padStart(11, "0") + "\0", 136, 12);
    write("        ", 148, 8);
    write("0", 156, 1);
    write("ustar\0", 257, 6);
    write("00", 263, 2);
    let sum = 0;
    for (const b of header) sum += b;
    write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
    const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
    return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

function reaperName(fault: ArmedFault): string {
    const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "-").slice(0, 40);
    return `faultline-reaper-${safe(fault.owner.stack)}-${safe(fault.owner.fault)}-${fault.expiresAt.toString(36)}`;
}

/**
 * Docker reapers: one labelled container per fault on the same engine as the target, with the engine's socket
 * and a restart policy, so it outlives Pulumi, the runner, the shell and a restart of the engine itself.
 */
export const reaper: ReaperHost = {
    async arm(fault) {
        const docker = dockerClient();
        const container = await docker.createContainer({
            name: reaperName(fault),
            Image: reaperImage(),
            Cmd: ["node", "/tmp/faultline-reaper.js"],
            Env: [
                `FAULTLINE_KIND=${fault.kind}`,
                `FAULTLINE_RECORD=${JSON.stringify(fault.record)}`,
                `FAULTLINE_OWNER=${JSON.stringify(fault.owner)}`,
                `FAULTLINE_EXPIRES_AT=${fault.expiresAt}`,
            ],
            Labels: {
                ...ownerLabels(fault.owner),
                [Labels.role]: "reaper",
                [FAULT_ID_LABEL]: fault.id,
                [EXPIRES_LABEL]: new Date(fault.expiresAt).toISOString(),
            },
            HostConfig: {
                Binds: ["/var/run/docker.sock:/var/run/docker.sock"],
                NetworkMode: fault.networkMode ?? "none",
                RestartPolicy: { Name: "unless-stopped" },
                // A reaper sleeps; keep it from competing with the experiment it guards.
                Memory: 128 * 1024 * 1024,
                NanoCpus: 250_000_000,
            },
        });
        try {
            await container.putArchive(tarOf("faultline-reaper.js", await reaperBundle()), { path: "/tmp" });
            await container.start();
        } catch (err) {
            await container.remove({ force: true }).catch(() => undefined);
            throw err;
        }
    },

    warm() {
        reaperBundle().catch(() => undefined);
    },

    async disarm(id) {
        const docker = dockerClient();
        const filters = JSON.stringify({ label: [`${FAULT_ID_LABEL}=${id}`] });
        for (const c of await docker.listContainers({ all: true, filters })) {
            await docker
                .getContainer(c.Id)
                .remove({ force: true })
                .catch((err: unknown) => {
                    if (!isNotFound(err)) throw err;
                });
        }
    },
};
