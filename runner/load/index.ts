import { startLoad } from "./generator";
import { k6Binary, startK6Load } from "./k6";
import type { LoadSpec } from "../../spec/load";
import type { LoadOptions, LoadRun } from "./types";

export type { LoadOptions, LoadReport, LoadResult, LoadRun } from "./types";
export { LoadSpec } from "../../spec/load";

/** Which generator an experiment's `load.tool` resolves to on this machine. */
export function resolveLoadTool(tool: LoadSpec["tool"]): "builtin" | "k6" {
    if (tool === "builtin") return "builtin";
    const k6 = k6Binary();
    if (tool === "k6" && !k6) throw new Error("load.tool is k6 but no k6 binary was found; install k6, set FAULTLINE_K6, or use tool: builtin");
    return k6 ? "k6" : "builtin";
}

/** Starts the load an experiment asks for, bounded by `bounds`. */
export function startExperimentLoad(
    spec: LoadSpec,
    bounds: Pick<LoadOptions, "maxDurationMs" | "maxRequests" | "clock" | "onResult">,
): LoadRun {
    const opts: LoadOptions = {
        url: spec.url,
        method: spec.method,
        rate: spec.rate,
        timeoutMs: spec.timeout,
        maxInFlight: spec.maxInFlight,
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        ...(spec.headers ? { headers: spec.headers } : {}),
        ...(spec.status ? { status: spec.status } : {}),
        ...bounds,
    };
    return resolveLoadTool(spec.tool) === "k6" ? startK6Load(opts) : startLoad(opts);
}
