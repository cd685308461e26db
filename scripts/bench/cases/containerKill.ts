import { dockerClient } from "../../../components/core/docker";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    target: string;
}

const running = async (name: string) => (await dockerClient().getContainer(name).inspect()).State.Running;

/**
 * A web server (busybox httpd as PID 1) killed with SIGKILL; observed and probed with `docker inspect` (State.Running).
 * The driver's revert starts the container the kill left stopped, which by hand is `docker start`.
 */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:container-kill",
    async setup(run) {
        const target = `flt-bench-kill-${run.id}`;
        await runContainer({ name: target, run: run.id, cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"], labels: run.labels });
        return { target };
    },
    spec: (c) => ({ target: { name: c.target }, signal: "SIGKILL" }),
    observed: async (c) => !(await running(c.target)),
    healthy: (c) => running(c.target),
    rawInject: (c) => [["docker", "kill", "--signal", "SIGKILL", c.target]],
    rawRevert: (c) => [["docker", "start", c.target]],
};
