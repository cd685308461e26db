import { dockerClient } from "../../../components/core/docker";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    target: string;
}

/** Seconds between SIGTERM and SIGKILL, for the driver and `docker stop -t` alike (Docker's default). */
const GRACE = 10;

const running = async (name: string) => (await dockerClient().getContainer(name).inspect()).State.Running;

/**
 * A web server stopped gracefully; observed and probed with `docker inspect` (State.Running). The target's PID 1 is
 * a shell that exits on SIGTERM: busybox httpd as PID 1 ignores SIGTERM, so both ways would just wait out the grace
 * period and the figures would measure the grace, not the stop. The driver's revert starts the container the stop
 * left stopped, which by hand is `docker start`.
 */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:container-stop",
    async setup(run) {
        const target = `flt-bench-stop-${run.id}`;
        await runContainer({
            name: target,
            run: run.id,
            cmd: ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"],
            labels: run.labels,
        });
        return { target };
    },
    spec: (c) => ({ target: { name: c.target }, graceSeconds: GRACE }),
    observed: async (c) => !(await running(c.target)),
    healthy: (c) => running(c.target),
    rawInject: (c) => [["docker", "stop", "-t", String(GRACE), c.target]],
    rawRevert: (c) => [["docker", "start", c.target]],
};
