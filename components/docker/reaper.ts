import { randomBytes } from "node:crypto";
import * as path from "node:path";
import type { ArmedFault, ReaperHost } from "../core/FaultResource";
import { containerName, dockerClient, inspectContainer, isNotFound } from "../core/docker";
import { Labels } from "../core/labels";
import { tarOf } from "./files";
import { toolsImage } from "./helper";
import { ArmedLabels, armedIn, armedVolumeLabels, armedVolumeName, listArmed, PROGRAM_PATH, reaperName, removeArmed, retire, servedName } from "./reaperStore";

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

/** A fault armed in a reaper, as `recover` and the tests see it. */
export interface ArmedEntry extends ArmedFault {
    /** The reaper (by name) that guards it, and whether a container of that name is running now. */
    reaperName: string;
    running: boolean;
    /** The volume that records it. */
    volume: string;
}

/**
 * Every fault armed on this engine for a stack (or for every stack), running reaper or not. A reaper with nothing
 * armed (about to retire) is listed with `id` "".
 */
export async function armedFaults(filter: { project?: string; stack?: string } = {}): Promise<ArmedEntry[]> {
    const docker = dockerClient();
    const label = [`${Labels.managed}=true`];
    if (filter.project) label.push(`${Labels.project}=${filter.project}`);
    if (filter.stack) label.push(`${Labels.stack}=${filter.stack}`);
    const reapers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [...label, `${Labels.role}=reaper`] }) });
    const running = new Set(reapers.filter((c) => c.State === "running").map(containerName));
    const out: ArmedEntry[] = (await listArmed(label)).map((a) => ({ ...a.fault, reaperName: a.reaper, running: running.has(a.reaper), volume: a.volume }));
    for (const c of reapers) {
        const name = containerName(c);
        if (out.some((a) => a.reaperName === servedName(name))) continue;
        const owner = { project: c.Labels[Labels.project] ?? "", stack: c.Labels[Labels.stack] ?? "", experiment: "", fault: "", kind: "" };
        out.push({ id: "", kind: "", record: null, owner, expiresAt: 0, reaperName: name, running: c.State === "running", volume: "" });
    }
    return out;
}

/**
 * Docker reapers. One labelled container per stack (per network namespace its reverts need) on the same engine as
 * the targets, with the engine's socket and a restart policy, so it outlives Pulumi, the runner, the shell and a
 * restart of the engine itself. Each armed fault is a labelled volume; the program inside reverts each at its
 * deadline and removes the volume.
 *
 * Why one per stack and not one per fault: arming must finish before a two-phase fault touches its target, so it is
 * on the path of every injection. Starting a container takes 0.3-0.5 s on an idle engine (several seconds on a busy
 * one), several times a `docker pause`; creating a volume and checking the reaper runs takes a few milliseconds.
 * Only the first fault of a stack pays for the start, and an experiment stack starts its reaper ahead of its faults
 * (ExperimentMetadata's standby), so none of them does.
 */
export const reaper: ReaperHost = {
    async arm(fault) {
        const docker = dockerClient();
        const name = reaperName(fault.owner, fault.networkMode);
        const volume = armedVolumeName(fault.id);
        // Recorded first, so that a reaper that still holds the name below will see it (retire in reaperStore.ts).
        // A volume of the same name keeps its old labels on create: a re-arm (the standby's) replaces it.
        await removeArmed(volume);
        await docker.createVolume({ Name: volume, Labels: armedVolumeLabels(fault, name) });
        try {
            for (let attempt = 0; attempt < 400; attempt++) {
                const info = await inspectContainer(name);
                if (!info) {
                    if (await startReaper(name, fault)) return;
                    continue; // another arm created it first
                }
                if (info.State.Running) return;
                if (info.State.Status === "created" && Date.now() - Date.parse(info.Created) < 30_000) {
                    // Another arm is still copying the program in before starting it.
                    await new Promise((r) => setTimeout(r, 20));
                    continue;
                }
                if (info.State.Status === "exited") {
                    // Stopped by hand, or left unstarted by an arm that died: it must run to guard anything.
                    await docker.getContainer(info.Id).start().catch((err: { statusCode?: number }) => {
                        if (err.statusCode !== 304) throw err;
                    });
                    continue;
                }
                // Restarting, being removed: look again shortly.
                await new Promise((r) => setTimeout(r, 20));
            }
            throw new Error(`reaper ${name} did not come up: it kept being created, restarted or removed by others`);
        } catch (err) {
            await removeArmed(volume).catch(() => undefined);
            throw err;
        }
    },

    warm() {
        reaperBundle().catch(() => undefined);
    },

    async disarm(id, owner) {
        const volume = armedVolumeName(id);
        const vol = await dockerClient()
            .getVolume(volume)
            .inspect()
            .catch((err: unknown) => {
                if (isNotFound(err)) return undefined;
                throw err;
            });
        if (!vol) return; // its reaper already reverted it
        const name = vol.Labels?.[ArmedLabels.reaper] ?? reaperName(owner);
        await removeArmed(volume);
        // The last fault of a stack (destroy): the reaper goes with it, now rather than at its next look.
        if ((await armedIn(name)).length === 0) {
            for (const c of await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [`${Labels.role}=reaper`, `${Labels.stack}=${owner.stack}`] }) })) {
                if (servedName(containerName(c)) === name) await retire(c.Id, name);
            }
        }
    },
};

/** Creates and starts a stack's reaper; false when a reaper of that name appeared first. */
async function startReaper(name: string, fault: ArmedFault): Promise<boolean> {
    const docker = dockerClient();
    const token = randomBytes(12).toString("hex");
    let container;
    try {
        container = await docker.createContainer({
            name,
            // The tools image has Node.js.
            Image: toolsImage(),
            Cmd: ["node", PROGRAM_PATH],
            // The reaper serves the faults armed under this name, also after it gave the name up to retire.
            Env: [`FAULTLINE_REAPER_NAME=${name}`, `FAULTLINE_REAPER_TOKEN=${token}`],
            Labels: {
                [ArmedLabels.token]: token,
                [Labels.managed]: "true",
                [Labels.project]: fault.owner.project,
                [Labels.stack]: fault.owner.stack,
                [Labels.experiment]: fault.owner.experiment,
                [Labels.role]: "reaper",
            },
            HostConfig: {
                Binds: ["/var/run/docker.sock:/var/run/docker.sock"],
                NetworkMode: fault.networkMode ?? "none",
                RestartPolicy: { Name: "unless-stopped" },
                // A reaper sleeps; keep it from competing with the experiment it guards. One CPU, not less: its
                // only work is loading Node and the bundle, then the reverts, and under a quarter CPU on a busy host
                // (load 30 on 2 cores) nine reapers armed together reverted 5-12 s after their deadline (1 CPU: ≤ 1.5 s).
                Memory: 128 * 1024 * 1024,
                NanoCpus: 1_000_000_000,
            },
        });
    } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 409) return false;
        throw err;
    }
    try {
        await container.putArchive(tarOf(path.posix.basename(PROGRAM_PATH), await reaperBundle()), { path: path.posix.dirname(PROGRAM_PATH) });
        await container.start();
    } catch (err) {
        await container.remove({ force: true }).catch(() => undefined);
        throw err;
    }
    return true;
}
