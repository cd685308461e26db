import * as path from "node:path";
import type { ArmedFault, ReaperHost } from "../core/FaultResource";
import { dockerClient, isNotFound } from "../core/docker";
import { LABEL_PREFIX, Labels, ownerLabels } from "../core/labels";
import { tarOf } from "./files";
import { toolsImage } from "./helper";

/** Label with the Pulumi id of the fault a reaper guards. */
export const FAULT_ID_LABEL = `${LABEL_PREFIX}.fault-id`;
/** Label with the reaper's deadline (ISO 8601), for humans and `recover`. */
export const EXPIRES_LABEL = `${LABEL_PREFIX}.expires-at`;

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
            // The AWS SDK is only loaded lazily by the FIS driver, whose faults never have a Docker reaper.
            external: ["@aws-sdk/*"],
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
        const name = reaperName(fault);
        const container = await docker.createContainer({
            name,
            // The tools image has Node.js.
            Image: toolsImage(),
            Cmd: ["node", "/tmp/faultline-reaper.js"],
            Env: [
                `FAULTLINE_KIND=${fault.kind}`,
                `FAULTLINE_RECORD=${JSON.stringify(fault.record)}`,
                `FAULTLINE_OWNER=${JSON.stringify(fault.owner)}`,
                `FAULTLINE_EXPIRES_AT=${fault.expiresAt}`,
                // The reaper removes itself by name: in another container's network namespace its hostname is
                // that container's, so the hostname would name the wrong container.
                `FAULTLINE_REAPER_NAME=${name}`,
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
                // A reaper sleeps; keep it from competing with the experiment it guards. One CPU, not less: its
                // only work is loading Node and the bundle, then one revert, and under a quarter CPU on a busy host
                // (load 30 on 2 cores) nine reapers armed together reverted 5-12 s after their deadline (1 CPU: ≤ 1.5 s).
                Memory: 128 * 1024 * 1024,
                NanoCpus: 1_000_000_000,
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
