import type { LatencySummary } from "./histogram";

/** One request of the load, on the run's timeline. */
export interface LoadResult {
    /** When the request was due (open model), in milliseconds since the run started. */
    t: number;
    /**
     * From when it was due to the end of the response, in milliseconds (0 for a dropped request); exactly the timeout
     * for a request that passed its deadline. `t + latencyMs` is when its outcome became known.
     */
    latencyMs: number;
    ok: boolean;
    status?: number;
    error?: string;
}

/** What a load run did, as a whole. */
export interface LoadReport {
    tool: "builtin" | "k6";
    /** Requests due by the schedule. */
    scheduled: number;
    /** Requests that got an answer or an error. */
    completed: number;
    ok: number;
    errors: number;
    /** Arrivals not sent because maxInFlight requests were already waiting (counted as errors). */
    dropped: number;
    durationMs: number;
    /** Successful requests per second over the run. */
    throughput: number;
    latency: LatencySummary;
}

/** Options every load generator takes. */
export interface LoadOptions {
    url: string;
    method: "GET" | "POST" | "PUT";
    body?: string;
    headers?: Record<string, string>;
    /** Arrivals per second. */
    rate: number;
    timeoutMs: number;
    maxInFlight: number;
    /** Acceptable statuses; default 2xx and 3xx. */
    status?: number[];
    /** Hard bound on the number of requests. */
    maxRequests: number;
    /** Hard bound on the run's length; the generator stops by itself. */
    maxDurationMs: number;
    /** The run's clock (ms since the run started); defaults to one starting now. */
    clock?: () => number;
    onResult?: (r: LoadResult) => void;
}

/** A running load. */
export interface LoadRun {
    /** Stops sending, waits for requests in flight (bounded by their timeout), and reports. */
    stop(): Promise<LoadReport>;
    /** Resolves when the load ended by itself (count or time bound) or was stopped. */
    readonly done: Promise<LoadReport>;
}
