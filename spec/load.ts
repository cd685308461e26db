import { z } from "zod";
import { Duration, isLoopbackHost } from "./fields";

/**
 * Load during an experiment: an open model (requests arrive at a constant rate whether or not earlier ones
 * answered, so a slow system is not hidden by a slow client). Loopback only, bounded in count and time.
 */
export const LoadSpec = z
    .object({
        /** URL on this machine (127.0.0.0/8, ::1 or localhost), e.g. a port published on 127.0.0.1. */
        url: z
            .string({ error: "required: the URL to send load to, e.g. http://127.0.0.1:8080/orders" })
            .superRefine((u, ctx) => {
                let url: URL;
                try {
                    url = new URL(u);
                } catch {
                    ctx.addIssue({ code: "custom", message: "must be an http:// URL, e.g. http://127.0.0.1:8080/orders" });
                    return;
                }
                if (url.protocol !== "http:") {
                    ctx.addIssue({ code: "custom", message: "must be an http:// URL, e.g. http://127.0.0.1:8080/orders" });
                } else if (!isLoopbackHost(url.hostname)) {
                    ctx.addIssue({
                        code: "custom",
                        message: `load goes to loopback only, not "${url.hostname}"; publish the service's port on 127.0.0.1 and use http://127.0.0.1:<port>/`,
                    });
                }
            }),
        method: z.enum(["GET", "POST", "PUT"], { error: "must be GET, POST or PUT" }).default("GET"),
        body: z.string().optional(),
        headers: z.record(z.string(), z.string()).optional(),
        /** Arrivals per second. At most 2000: this is a steady-state load, not a stress test. */
        rate: z
            .number({ error: "required: requests per second, e.g. 20" })
            .positive("must be greater than zero")
            .max(2000, "at most 2000 requests per second; this load measures a steady state, it does not stress the system"),
        /** A request slower than this is an error. Defaults to "2s". */
        timeout: Duration.default(2000),
        /** Requests in flight at once; arrivals beyond it are counted as errors (dropped). Defaults to 100. */
        maxInFlight: z.number().int().positive().max(1000).default(100),
        /** Acceptable status codes. Defaults to any 2xx or 3xx. */
        status: z.array(z.number().int().min(100).max(599)).min(1).optional(),
        /** Which generator: `builtin`, `k6` (needs a k6 binary on PATH), or `auto` (k6 when present). Defaults to builtin. */
        tool: z.enum(["builtin", "k6", "auto"], { error: "must be builtin, k6 or auto" }).default("builtin"),
    })
    .strict();
export type LoadSpec = z.output<typeof LoadSpec>;
