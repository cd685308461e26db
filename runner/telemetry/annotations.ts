// A run's phases as dashboard annotations, derived from its evidence: the one source the HTML report, Grafana and
// anyone reading evidence.json share, so a dashboard shows exactly the windows the verdict was judged on.
import { formatDuration } from "../../spec/units";
import type { Annotation, Evidence } from "../evidence/schema";

/** The evidence an annotation is made from: everything but the annotations themselves. */
export type AnnotatedRun = Omit<Evidence, "annotations" | "annotation_delivery">;

/** The tags every annotation of a run carries: faultline's, and the run's (to filter one run on a dashboard). */
function runTags(e: AnnotatedRun): string[] {
    return ["faultline", `experiment:${e.experiment}`, `stack:${e.stack}`, `run:${e.run_id}`];
}

/**
 * The annotations of a run, in time order: the whole run (its outcome), the injection (`pulumi up`), each fault from
 * the moment it was seen in to the moment its revert began (the chaos window), the stop condition that fired, and
 * the revert. Times are on the run clock (ms since started_at).
 */
export function runAnnotations(e: AnnotatedRun): Annotation[] {
    const tags = runTags(e);
    const phase = (name: string) => e.timing.phases.find((p) => p.name === name);
    const out: Annotation[] = [
        {
            phase: "run",
            fault: null,
            time_ms: 0,
            time_end_ms: e.duration_ms,
            tags: [...tags, "run", `outcome:${e.outcome}`],
            text: `faultline ${e.experiment}: ${e.outcome} (${e.status}): ${e.reason}`,
        },
    ];
    const inject = phase("inject");
    if (inject) {
        const faults = e.chaos_scenarios.map((s) => `${s.fault} (${s.kind})`).join(", ");
        out.push({ phase: "inject", fault: null, time_ms: inject.start_ms, time_end_ms: inject.end_ms, tags: [...tags, "inject"], text: `inject (pulumi up): ${faults}` });
    }
    for (const f of e.timing.chaos_window?.faults ?? []) {
        const s = e.chaos_scenarios.find((x) => x.fault === f.fault);
        const kind = s?.kind ?? "unknown";
        const how = f.in_source === "observed" ? "seen in on its target" : "in since pulumi up completed";
        out.push({
            phase: "fault",
            fault: f.fault,
            time_ms: f.in_ms,
            time_end_ms: f.revert_began_ms,
            tags: [...tags, "fault", `fault:${f.fault}`, `kind:${kind}`],
            text: `fault ${f.fault} in (${how}) for ${formatDuration(Math.round(f.revert_began_ms - f.in_ms))}: ${s?.description ?? kind}`,
        });
    }
    const stop = e.stop_condition;
    if (stop) {
        out.push({ phase: "stop-condition", fault: null, time_ms: stop.at_ms, time_end_ms: stop.at_ms, tags: [...tags, "stop-condition", `metric:${stop.metric}`], text: `stop condition fired: ${stop.message}` });
    }
    const rollback = phase("rollback");
    if (rollback) {
        const r = e.rollback;
        const text = `revert (direct revert, then pulumi destroy): ${r.result}${r.error ? `: ${r.error}` : ""} after ${formatDuration(Math.round(r.duration_ms))}`;
        out.push({ phase: "revert", fault: null, time_ms: rollback.start_ms, time_end_ms: rollback.end_ms, tags: [...tags, "revert", `rollback:${r.result}`], text });
    }
    return out.sort((a, b) => a.time_ms - b.time_ms);
}
