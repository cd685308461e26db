import { z } from "zod";
import { dockerClient } from "../../core/docker";
import type { FaultDriver, Observation } from "../../core/driver";
import { inspectSelected, namesOf, runOf, startLeftStopped, stillStopped, type ContainerRun } from "../containers";
import { containerTarget, describeSelector, planContainers } from "../selector";
import { Signal } from "../signal";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Spec of a container kill: send a signal to the main process of the selected containers. */
export const ContainerKillSpec = z
    .object({
        /** Which running containers to kill, and how many of them (blast radius). */
        target: containerTarget('which containers to kill, e.g. { name: "web" }'),
        /** The signal to send, as `docker kill --signal`. Defaults to SIGKILL. */
        signal: Signal.default("SIGKILL"),
    })
    .strict();
export type ContainerKillSpec = z.infer<typeof ContainerKillSpec>;

/** What a kill hit: each container's run at the time, so revert starts only what the kill left stopped. */
export interface ContainerKillRecord {
    signal: Signal;
    containers: ContainerRun[];
}

export const driver: FaultDriver<ContainerKillSpec, ContainerKillRecord, z.input<typeof ContainerKillSpec>> = {
    kind: "docker:container-kill",
    target: "docker",
    schema: ContainerKillSpec,

    describe: (spec) => `send ${spec.signal} to the main process of ${describeSelector(spec.target)}`,

    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => planContainers(spec.target),

    async prepare(spec) {
        return { signal: spec.signal, containers: (await inspectSelected(spec.target)).map(runOf) };
    },

    async apply(record) {
        // `docker kill` counts as a manual stop, so Docker does not apply the restart policy: the container stays
        // down until the revert starts it (or someone else does, which the revert notices by StartedAt).
        await Promise.all(record.containers.map((c) => dockerClient().getContainer(c.id).kill({ signal: record.signal })));
    },

    revert: (record, ctx) => startLeftStopped(record.containers, ctx),

    async observe(record): Promise<Observation> {
        const down = await stillStopped(record.containers);
        return down.length > 0
            ? { active: true, detail: `killed with ${record.signal} and still down: ${down.join(", ")}` }
            : { active: false, detail: `no container is down from this kill (${namesOf(record.containers)})` };
    },
};

/**
 * A container kill: the main process of each selected container gets `signal`, as with `docker kill`.
 *
 * `pulumi up` records each container's run (StartedAt, restart policy) and kills it; Docker counts this as a manual
 * stop, so no restart policy brings it back. `pulumi destroy`, or the reaper after `ttl`, starts every container the
 * kill left stopped; one that was started since (by a human or a restart policy) or removed is left alone. A signal
 * the process survives (SIGHUP to a server that reloads) leaves nothing to undo.
 *
 * ```ts
 * new ContainerKill("api-crash", { target: { name: "api" }, ttl: "2m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "crash",
    component: "ContainerKill",
    up: "sends a signal (default SIGKILL)",
    revert: "starts it again if the kill left it stopped",
    docs: "[containers](docs/container-faults.md)",
    module: __filename,
    driver,
    fields: (spec) => ({ target: spec.target, signal: spec.signal }),
});
