import { dockerClient } from "../../../components/core/docker";
import { runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    target: string;
}

const state = async (name: string) => (await dockerClient().getContainer(name).inspect()).State;

/** A web server frozen with the cgroup freezer; observed and probed with `docker inspect` (State.Paused). */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:container-pause",
    async setup(run) {
        const target = `flt-bench-pause-${run.id}`;
        await runContainer({ name: target, run: run.id, cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"], labels: run.labels });
        return { target };
    },
    spec: (c) => ({ target: { name: c.target } }),
    observed: async (c) => (await state(c.target)).Paused,
    healthy: async (c) => {
        const s = await state(c.target);
        return s.Running && !s.Paused;
    },
    rawInject: (c) => [["docker", "pause", c.target]],
    rawRevert: (c) => [["docker", "unpause", c.target]],
};
