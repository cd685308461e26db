// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import assert from "node:assert/strict";
import { it } from "node:test";
import { execInContainer } from "../../../components/core/docker";
import { faultCycleSuite } from "../../helpers/faultCycle";
import { setExperiment } from "../../helpers/pulumi";

/** KiB used on the filesystem of `dir`, as `df` inside the container reports it. */
async function usedKiB(container: string, dir: string): Promise<number> {
    const r = await execInContainer(container, ["sh", "-c", `df -k ${dir} | tail -n 1`]);
    return Number(r.stdout.trim().split(/\s+/)[2]);
}

async function exists(container: string, file: string): Promise<boolean> {
    return (await execInContainer(container, ["test", "-e", file])).exitCode === 0;
}

/** The file the fault named "fault" of `stack` writes into /data. */
const fillFile = (stack: string) => `/data/.faultline-fill-${stack}-fault`;

faultCycleSuite({
    title: "DiskFill",
    tag: "df",
    fault: (t) => ({ kind: "docker:disk-fill", target: { name: t.web }, path: "/data", bytes: "8MiB" }),
    // A small tmpfs keeps the fill at a few MiB and off the host's disk.
    web: { tmpfs: { "/data": "size=16m" } },
    prepare: async (t) => {
        await execInContainer(t.web, ["sh", "-c", "echo keep > /data/keep"]);
        assert.equal(await usedKiB(t.web, "/data"), 4, "only the 4 KiB of /data/keep are used before up");
    },
    // Exactly the space used before, the other file as it was, no fill file.
    snapshot: async (t) => ({
        usedKiB: await usedKiB(t.web, "/data"),
        keep: (await execInContainer(t.web, ["cat", "/data/keep"])).stdout,
        fill: await exists(t.web, fillFile(t.stack)),
    }),
    inEffect: (t) => exists(t.web, fillFile(t.stack)),
    answersDuringFault: true,
    checkUp: async (t) => {
        assert.equal(await usedKiB(t.web, "/data"), 4 + 8192, "df in the target shows 8 MiB more used");
        const size = await execInContainer(t.web, ["stat", "-c", "%s", fillFile(t.stack)]);
        assert.equal(size.stdout.trim(), String(8 * 1024 * 1024));
    },
    revertByHand: async (t) => void (await execInContainer(t.web, ["rm", "-f", fillFile(t.stack)])),
    extraTests: ({ t, stack, experiment }) => {
        it("preview lists the fault and its target, and writes nothing", async () => {
            await setExperiment(stack(), experiment("10m"));
            const p = await stack().preview({ diff: true });
            assert.equal(p.changeSummary.create, 4, "stack, component, fault and experiment metadata");
            assert.match(p.stdout, /pulumi-nodejs:dynamic\/faultline:DockerDiskFill/);
            assert.match(p.stdout, new RegExp(`name\\s*: "${t.web}"`));
            assert.equal(await usedKiB(t.web, "/data"), 4);
        });

        it("preview refuses a fill that would eat into the 10% reserve, naming the field and the device", async () => {
            await setExperiment(stack(), experiment("10m", { bytes: undefined, percent: 100 }));
            await assert.rejects(
                stack().preview(),
                (err: Error) =>
                    err.message.includes(
                        `writing 16.0MiB into /data of "${t.web}" (tmpfs on the host's memory (tmpfs): 16.0MiB free of 16MiB) would leave less than the 10% reserve (1.6MiB) free; lower percent to at most 89, or lower reservePercent`,
                    ) && /spec\.percent/.test(err.message),
            );
            assert.equal(await usedKiB(t.web, "/data"), 4, "nothing was written");
        });

        it("a percentage of the free space, capped by the filesystem (reservePercent 0 on the target's own tmpfs)", async () => {
            await setExperiment(stack(), experiment("10m", { bytes: undefined, percent: 100, reservePercent: 0 }));
            await stack().up();
            assert.equal(await usedKiB(t.web, "/data"), 16384, "100% of the free space fills the 16 MiB tmpfs");
            const fail = await execInContainer(t.web, ["sh", "-c", "echo x > /data/more"]);
            assert.match(fail.stderr, /No space left on device/);
            await stack().destroy();
            assert.equal(await usedKiB(t.web, "/data"), 4);
            assert.equal((await execInContainer(t.web, ["cat", "/data/keep"])).stdout, "keep\n");
        });

        it("preview fails, naming the field, when the path is not a directory in the target", async () => {
            await setExperiment(stack(), experiment("10m", { path: "/nope" }));
            await assert.rejects(stack().preview(), new RegExp(`spec\\.path.*has a problem: /nope is not a directory in container "${t.web}"`));
        });
    },
});
