import { dockerClient } from "../../../components/core/docker";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    target: string;
}

const running = async (name: string) => (await dockerClient().getContainer(name).inspect()).State.Running;

/**
 * The web server process (busybox httpd) killed by name inside a container whose main process is a wrapper shell
 * waiting on it, so the kill takes the container down, as a service dying under its entrypoint script does; observed
 * and probed with `docker inspect` (State.Running). httpd is not PID 1, so the driver kills it from its helper in the
 * target's PID namespace, as `docker exec` does (PID 1 would ignore a signal from inside its namespace). The busybox
 * image has no pkill: the raw kill by name is its `killall`, which matches the exact process name like the spec's
 * "^httpd$". Processes cannot be brought back; the driver's revert starts the container the kill left stopped, which
 * by hand is `docker start`.
 */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:process-kill",
    async setup(run) {
        const target = `flt-bench-pkill-${run.id}`;
        await runContainer({
            name: target,
            run: run.id,
            cmd: ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"],
            labels: run.labels,
        });
        return { target };
    },
    spec: (c) => ({ target: { name: c.target }, process: "^httpd$", signal: "SIGKILL" }),
    observed: async (c) => !(await running(c.target)),
    healthy: (c) => running(c.target),
    rawInject: (c) => [["docker", "exec", c.target, "killall", "-KILL", "httpd"]],
    rawRevert: (c) => [["docker", "start", c.target]],
};
