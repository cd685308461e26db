import { execInContainer } from "../../../components/core/docker";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    target: string;
}

/** KiB used on /data, as `df` in the target reports it. */
async function usedKiB(target: string): Promise<number> {
    const r = await execInContainer(target, ["sh", "-c", "df -k /data | tail -n 1"]);
    return Number(r.stdout.trim().split(/\s+/)[2]);
}

/** 8 MiB written into a 16 MiB tmpfs at /data; observed with `df` inside the target. */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:disk-fill",
    async setup(run) {
        const target = `flt-bench-df-${run.id}`;
        await runContainer({ name: target, run: run.id, cmd: ["sleep", "3600"], labels: run.labels, tmpfs: { "/data": "size=16m" } });
        return { target };
    },
    spec: (c) => ({ target: { name: c.target }, path: "/data", bytes: 8 * 1024 * 1024 }),
    observed: async (c) => (await usedKiB(c.target)) >= 8192,
    healthy: async (c) => (await usedKiB(c.target)) === 0,
    rawInject: (c) => [["docker", "exec", c.target, "fallocate", "-l", String(8 * 1024 * 1024), "/data/.fill"]],
    rawRevert: (c) => [["docker", "exec", c.target, "rm", "-f", "/data/.fill"]],
};
