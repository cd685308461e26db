import { z } from "zod";
import { dockerClient, inspectContainer } from "../../core/docker";
import { overallOutcome, type FaultDriver, type Observation, type RevertOutcome } from "../../core/driver";
import { gone, inspectSelected, namesOf, runOf, startContainer, type ContainerRun } from "../containers";
import { containerTarget, describeSelector, planContainers } from "../selector";
import { GraceSeconds } from "./containerStop";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Spec of a container restart: a one-shot `docker restart` of the selected containers. */
export const ContainerRestartSpec = z
    .object({
        /** Which running containers to restart, and how many of them (blast radius). */
        target: containerTarget('which containers to restart, e.g. { name: "web" }'),
        /** Seconds to wait after SIGTERM before SIGKILL. Defaults to 10, like `docker restart`. */
        graceSeconds: GraceSeconds.default(10),
    })
    .strict();
export type ContainerRestartSpec = z.infer<typeof ContainerRestartSpec>;

/** The containers restarted, with the run each was in before (a restart gives it a new `StartedAt`). */
export interface ContainerRestartRecord {
    graceSeconds: number;
    containers: ContainerRun[];
}

export const driver: FaultDriver<ContainerRestartSpec, ContainerRestartRecord, z.input<typeof ContainerRestartSpec>> = {
    kind: "docker:container-restart",
    target: "docker",
    schema: ContainerRestartSpec,

    describe: (spec) => `restart ${describeSelector(spec.target)} once (SIGTERM, SIGKILL after ${spec.graceSeconds}s, then start)`,

    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => planContainers(spec.target),

    async prepare(spec) {
        return { graceSeconds: spec.graceSeconds, containers: (await inspectSelected(spec.target)).map(runOf) };
    },

    async apply(record) {
        await Promise.all(record.containers.map((c) => dockerClient().getContainer(c.id).restart({ t: record.graceSeconds })));
    },

    // A restart cannot be undone; what revert guarantees is that every container it restarted is running again
    // (a restart that failed to start, or was interrupted between its stop and its start, leaves it stopped).
    async revert(record, ctx): Promise<RevertOutcome> {
        const outcomes = await Promise.all(
            record.containers.map(async (c): Promise<RevertOutcome> => {
                const info = await inspectContainer(c.id);
                if (!info) return gone(c, ctx, "start again");
                if (info.State.Running || info.State.Restarting) return "already-reverted";
                await startContainer(c.id);
                return "reverted";
            }),
        );
        return overallOutcome(outcomes);
    },

    async observe(record): Promise<Observation> {
        const infos = await Promise.all(record.containers.map((c) => inspectContainer(c.id)));
        const down = record.containers.filter((_, i) => infos[i] !== undefined && !infos[i]!.State.Running);
        return down.length > 0
            ? { active: true, detail: `not running again yet: ${namesOf(down)}` }
            : { active: false, detail: `restarted and running: ${namesOf(record.containers)}` };
    },
};

/**
 * A one-shot container restart, as with `docker restart`: in-memory state is lost, connections drop, the process
 * starts again. There is nothing to undo; `pulumi destroy`, or the reaper after `ttl`, makes sure every restarted
 * container is running (a restart interrupted between its stop and its start would leave it stopped).
 *
 * ```ts
 * new ContainerRestart("api-bounce", { target: { nameRegex: "^api-" , mode: "percent", value: 50 }, ttl: "1m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "crash",
    component: "ContainerRestart",
    up: "restarts",
    revert: "ensures it runs",
    docs: "[containers](docs/container-faults.md)",
    module: __filename,
    driver,
    fields: (spec) => ({ target: spec.target, graceSeconds: spec.graceSeconds }),
});
