import { z } from "zod";
import pRetry from "p-retry";
import { dockerClient, inspectContainer } from "../../core/docker";
import { overallOutcome, type FaultDriver, type Observation, type RevertOutcome } from "../../core/driver";
import { gone, inspectSelected, namesOf, nameOf, type ContainerRef } from "../containers";
import { containerTarget, describeSelector, planContainers } from "../selector";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

/** Spec of a container pause: freeze every process of the selected containers (cgroup freezer) for the TTL. */
export const ContainerPauseSpec = z
    .object({
        /** Which running containers to freeze, and how many of them (blast radius). */
        target: containerTarget('which containers to pause, e.g. { name: "web" }'),
    })
    .strict();
export type ContainerPauseSpec = z.infer<typeof ContainerPauseSpec>;

/** The containers the fault froze. They were all running and not paused (paused ones are never selected). */
export interface ContainerPauseRecord {
    containers: ContainerRef[];
}

/**
 * `docker pause`, retried a few times when the freezer gives up: runc thaws and reports "unable to freeze" when the
 * cgroup does not settle quickly, which happens on a heavily loaded host while processes are being scheduled.
 */
async function pause(id: string, attempts = 4): Promise<void> {
    await pRetry(() => dockerClient().getContainer(id).pause(), {
        retries: attempts - 1,
        minTimeout: 250,
        shouldRetry: ({ error }) => /unable to freeze/i.test(String(error)),
    });
}

export const driver: FaultDriver<ContainerPauseSpec, ContainerPauseRecord, z.input<typeof ContainerPauseSpec>> = {
    kind: "docker:container-pause",
    target: "docker",
    schema: ContainerPauseSpec,

    describe: (spec) => `freeze every process of ${describeSelector(spec.target)} (docker pause)`,

    checkTargets: (spec) => selectorTargets(spec.target),

    plan: (spec) => planContainers(spec.target),

    async prepare(spec) {
        return { containers: (await inspectSelected(spec.target)).map((i) => ({ id: i.Id, name: nameOf(i) })) };
    },

    async apply(record) {
        await Promise.all(record.containers.map((c) => pause(c.id)));
    },

    async revert(record, ctx): Promise<RevertOutcome> {
        const outcomes = await Promise.all(
            record.containers.map(async (c): Promise<RevertOutcome> => {
                const info = await inspectContainer(c.id);
                if (!info) return gone(c, ctx, "unpause");
                if (!info.State.Paused) return "already-reverted";
                await dockerClient().getContainer(c.id).unpause();
                return "reverted";
            }),
        );
        return overallOutcome(outcomes);
    },

    async observe(record): Promise<Observation> {
        const infos = await Promise.all(record.containers.map((c) => inspectContainer(c.id)));
        const paused = record.containers.filter((_, i) => infos[i]?.State.Paused === true);
        return paused.length > 0
            ? { active: true, detail: `paused: ${namesOf(paused)}` }
            : { active: false, detail: `not paused: ${namesOf(record.containers)}` };
    },
};

/**
 * A container pause: every process of each selected container is frozen (cgroup freezer, `docker pause`). The
 * container keeps its network endpoint, so peers see a hang, not a refused connection: the classic "grey failure".
 *
 * `pulumi destroy`, or the reaper after `ttl`, unpauses whatever is still paused.
 *
 * ```ts
 * new ContainerPause("db-freeze", { target: { name: "db" }, ttl: "30s" });
 * ```
 */
export const fault = defineFault({
    failureClass: "dependency-outage",
    component: "ContainerPause",
    up: "freezes it (cgroup freezer)",
    revert: "unpauses",
    docs: "[containers](docs/container-faults.md)",
    module: __filename,
    driver,
    fields: (spec) => ({ target: spec.target }),
});
