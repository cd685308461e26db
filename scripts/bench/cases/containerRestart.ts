import { dockerClient } from "../../../components/core/docker";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    target: string;
    /** `State.StartedAt` of the run the next restart ends: taken by `healthy`, the probe that passes before every inject. */
    run: string;
}

/** Seconds between SIGTERM and SIGKILL, for the driver and `docker restart -t` alike (Docker's default). */
const GRACE = 10;

const state = async (name: string) => (await dockerClient().getContainer(name).inspect()).State;

/**
 * A web server restarted once. The driver's create is a `docker restart`, so that is the raw inject. The fault is
 * observed when the run it hit is over: the container is down, or already running again as a new run (a new
 * `StartedAt`), should the down moment fall between two polls. A restart cannot be undone: the driver's revert only
 * makes sure the container runs (it starts it if it is down, and does nothing when the restart came through), so
 * the raw revert is the operator's equivalent, `docker start`, which is also a no-op on a running container; the
 * rollback figures compare those two "make sure it runs" steps. As for container-stop, PID 1 is a shell that exits
 * on SIGTERM, so the restart does not wait out the grace period (busybox httpd as PID 1 ignores SIGTERM).
 */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:container-restart",
    async setup(run) {
        const target = `flt-bench-restart-${run.id}`;
        await runContainer({
            name: target,
            run: run.id,
            cmd: ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"],
            labels: run.labels,
        });
        return { target, run: (await state(target)).StartedAt };
    },
    spec: (c) => ({ target: { name: c.target }, graceSeconds: GRACE }),
    observed: async (c) => {
        const s = await state(c.target);
        return !s.Running || s.StartedAt !== c.run;
    },
    healthy: async (c) => {
        const s = await state(c.target);
        if (!s.Running) return false;
        // The run the next inject must end.
        c.run = s.StartedAt;
        return true;
    },
    rawInject: (c) => [["docker", "restart", "-t", String(GRACE), c.target]],
    rawRevert: (c) => [["docker", "start", c.target]],
};
