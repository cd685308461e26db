import { z } from "zod";
import { dockerClient } from "../../core/docker";
import type { FaultDriver, Observation } from "../../core/driver";
import { inspectSelected, namesOf, runOf, startLeftStopped, stillStopped, type ContainerRun } from "../containers";
import { containerTarget, describeSelector, planContainers } from "../selector";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Seconds Docker waits after SIGTERM before it sends SIGKILL (`docker stop -t`). */
export const GraceSeconds = z
    .number({ error: "must be a number of seconds, e.g. 10" })
    .int("must be a whole number of seconds")
    .min(0, "must be 0 or more seconds")
    .max(300, "must be at most 300 seconds");

/** Spec of a container stop: stop the selected containers gracefully, as `docker stop` does, for the TTL. */
export const ContainerStopSpec = z
    .object({
        /** Which running containers to stop, and how many of them (blast radius). */
        target: containerTarget('which containers to stop, e.g. { name: "web" }'),
        /** Seconds to wait after SIGTERM before SIGKILL. Defaults to 10, like `docker stop`. */
        graceSeconds: GraceSeconds.default(10),
    })
    .strict();
export type ContainerStopSpec = z.infer<typeof ContainerStopSpec>;

/** What a stop hit: each container's run at the time, so revert starts only what the stop left stopped. */
export interface ContainerStopRecord {
    graceSeconds: number;
    containers: ContainerRun[];
}

export const driver: FaultDriver<ContainerStopSpec, ContainerStopRecord, z.input<typeof ContainerStopSpec>> = {
    kind: "docker:container-stop",
    target: "docker",
    schema: ContainerStopSpec,

    describe: (spec) => `stop ${describeSelector(spec.target)} (SIGTERM, SIGKILL after ${spec.graceSeconds}s)`,

    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => planContainers(spec.target),

    async prepare(spec) {
        return { graceSeconds: spec.graceSeconds, containers: (await inspectSelected(spec.target)).map(runOf) };
    },

    async apply(record) {
        await Promise.all(
            record.containers.map((c) =>
                dockerClient()
                    .getContainer(c.id)
                    .stop({ t: record.graceSeconds })
                    .catch((err: { statusCode?: number }) => {
                        // 304: already stopped, which is what was asked for.
                        if (err.statusCode !== 304) throw err;
                    }),
            ),
        );
    },

    revert: (record, ctx) => startLeftStopped(record.containers, ctx),

    async observe(record): Promise<Observation> {
        const down = await stillStopped(record.containers);
        return down.length > 0
            ? { active: true, detail: `stopped: ${down.join(", ")}` }
            : { active: false, detail: `no container is down from this stop (${namesOf(record.containers)})` };
    },
};

/**
 * A container stop: each selected container is stopped gracefully, as with `docker stop`, for the TTL.
 *
 * `pulumi destroy`, or the reaper after `ttl`, starts every container the stop left stopped; one that was started
 * since or removed is left alone.
 *
 * ```ts
 * new ContainerStop("cache-down", { target: { labels: { app: "cache" }, mode: "fixed", value: 1 }, ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "crash",
    component: "ContainerStop",
    up: "stops",
    revert: "ensures it runs",
    docs: "[containers](docs/container-faults.md)",
    module: __filename,
    driver,
    fields: (spec) => ({ target: spec.target, graceSeconds: spec.graceSeconds }),
});
