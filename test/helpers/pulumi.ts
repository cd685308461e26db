import { readFile, writeFile } from "node:fs/promises";
import { parse, stringify } from "yaml";
import type { DestroyOptions, EngineEvent, RefreshOptions, Stack, UpdateSummary, UpOptions } from "@pulumi/pulumi/automation";
import { dockerClient } from "../../components/core/docker";
import { STANDBY_KIND } from "../../components/core/labels";
import { armedFaults } from "../../components/docker/reaper";
import { stackFile } from "../../runner/input";
import { withoutResultReads } from "../../runner/pulumi";

/**
 * Sets a stack's experiment (config `faultline:experiment`, a JSON string) the way `pulumi config set` stores it, by
 * writing the stack's config file (stacks/Pulumi.<stack>.yaml) instead of starting the CLI: every `pulumi` process
 * first derives the passphrase key (1,000,000 rounds of PBKDF2, about a quarter of a second of CPU), and the engine
 * tier is bound by CPU. Plain values only: a secret goes through `stack.setConfig(..., { secret: true })`.
 */
export async function setExperiment(stack: Pick<Stack, "name">, experiment: unknown): Promise<void> {
    const file = stackFile(stack.name);
    const text = await readFile(file, "utf8").catch(() => "");
    const doc = (parse(text) ?? {}) as { config?: Record<string, unknown> };
    doc.config = { ...doc.config, "faultline:experiment": JSON.stringify(experiment) };
    await writeFile(file, stringify(doc));
}

/** The faults named `fault` armed in a stack's reapers, running or not. */
export async function reapersOf(stack: string, fault: string) {
    return (await armedFaults({ stack })).filter((a) => a.kind !== STANDBY_KIND && a.owner.fault === fault);
}

/** Helper containers of a stack's fault, running or not. */
export async function helpersOf(stack: string, fault: string) {
    const filters = JSON.stringify({
        label: ["dev.faultline.role=helper", `dev.faultline.stack=${stack}`, `dev.faultline.fault=${fault}`],
    });
    return dockerClient().listContainers({ all: true, filters });
}

/** What a test reads of a command's summary. */
type EventSummary = Pick<UpdateSummary, "result" | "resourceChanges">;

/**
 * `stack` whose up, refresh and destroy take their summary from the engine's own summary event, as `preview` does,
 * instead of from `pulumi stack history` (and, after up, from two `pulumi stack output`): one CLI start less per
 * refresh and destroy, three less per up, each 0.3-0.6 s of CPU on a tier bound by CPU. The summary holds what tests
 * read: `result` ("succeeded": a command that fails throws) and `resourceChanges`. `outputs` is empty: a test that
 * reads them asks `stack.outputs()`.
 */
export function summarizedByEvents(stack: Stack): Stack {
    const lean = withoutResultReads(stack);
    async function run<R extends { summary: UpdateSummary }>(command: (onEvent: (e: EngineEvent) => void) => Promise<R>, theirs?: (e: EngineEvent) => void): Promise<R> {
        let summary: EventSummary = { result: "succeeded" };
        const result = await command((e) => {
            if (e.summaryEvent) summary = { result: "succeeded", resourceChanges: e.summaryEvent.resourceChanges };
            theirs?.(e);
        });
        return { ...result, summary: summary as UpdateSummary };
    }
    return Object.assign(Object.create(stack) as Stack, {
        up: (opts: UpOptions = {}) => run((onEvent) => lean.up({ ...opts, onEvent }), opts.onEvent),
        refresh: (opts: RefreshOptions = {}) => run((onEvent) => lean.refresh({ ...opts, onEvent }), opts.onEvent),
        destroy: (opts: DestroyOptions = {}) => run((onEvent) => lean.destroy({ ...opts, onEvent }), opts.onEvent),
    });
}
