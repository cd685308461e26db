import { execInContainer } from "../../../components/core/docker";
import { toolsImage } from "../../../components/docker/helper";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    target: string;
}

/** Seconds the target's clock is off the host's, as `date` in the target sees it. */
async function skew(target: string): Promise<number> {
    const now = Date.now() / 1000;
    return Number((await execInContainer(target, ["date", "+%s"])).stdout.trim()) - now;
}

/** A libfaketime-ready target moved back 3 hours; observed with `date` inside it. */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:clock-skew",
    async setup(run) {
        const target = `flt-bench-clock-${run.id}`;
        await runContainer({
            name: target,
            run: run.id,
            image: toolsImage(),
            cmd: ["sleep", "3600"],
            labels: run.labels,
            env: [
                "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                "FAKETIME_TIMESTAMP_FILE=/etc/faketime",
                "FAKETIME_CACHE_DURATION=1",
                "FAKETIME_DONT_FAKE_MONOTONIC=1",
            ],
        });
        return { target };
    },
    spec: (c) => ({ target: { name: c.target }, offset: "-3h" }),
    observed: async (c) => Math.abs((await skew(c.target)) + 10_800) < 5,
    healthy: async (c) => Math.abs(await skew(c.target)) < 5,
    rawInject: (c) => [["docker", "exec", c.target, "sh", "-c", "echo -10800 > /etc/faketime"]],
    rawRevert: (c) => [["docker", "exec", c.target, "rm", "-f", "/etc/faketime"]],
};
