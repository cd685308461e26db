import { z } from "zod";
import { chaosSpec, ChaosCommon, ChaosSelector, describeSelector, GoDuration, chaosSelectorFields, defineChaosMeshFault } from "../chaosMesh";

const Percent = z.number().min(0, "must be between 0 and 100").max(100, "must be between 0 and 100");

/** Spec of a Chaos Mesh NetworkChaos: delay, loss, partition or bandwidth on the selected pods' traffic. */
export const NetworkChaosSpec = chaosSpec(ChaosCommon, {
    /** What to do to the traffic. */
    action: z.enum(["delay", "loss", "partition", "bandwidth"], { error: "must be one of: delay, loss, partition, bandwidth" }),
    /** Which way: `to` the target (default), `from` it, or `both`. */
    direction: z.enum(["to", "from", "both"], { error: "must be to, from or both" }).default("to"),
    /** The pods on the other side. Required for `partition` unless `externalTargets` is given. */
    target: ChaosSelector.optional(),
    /** Hosts or CIDRs outside the cluster on the other side, e.g. `["10.0.0.0/8", "db.example.com"]`. */
    externalTargets: z.array(z.string().min(1)).min(1).optional(),
    /** For `delay`: latency, jitter and correlation (0-100). */
    delay: z
        .object({ latency: GoDuration, jitter: GoDuration.optional(), correlation: Percent.optional() })
        .strict()
        .optional(),
    /** For `loss`: percentage of packets dropped, and correlation (0-100). */
    loss: z.object({ loss: Percent, correlation: Percent.optional() }).strict().optional(),
    /** For `bandwidth`: tc tbf rate (e.g. "1mbps"), queue limit and bucket size in bytes. */
    bandwidth: z
        .object({
            rate: z.string().regex(/^\d+(\.\d+)?(bit|kbit|mbit|gbit|tbit|bps|kbps|mbps|gbps|tbps)$/, 'is not a tc rate; write it like "1mbps" or "500kbit"'),
            limit: z.number().int().positive(),
            buffer: z.number().int().positive(),
        })
        .strict()
        .optional(),
    /** Network device inside the pods. Defaults to Chaos Mesh's choice (eth0). */
    device: z.string().min(1).optional(),
}).superRefine((s, ctx) => {
    for (const a of ["delay", "loss", "bandwidth"] as const) {
        if (s.action === a && s[a] === undefined) ctx.addIssue({ code: "custom", path: [a], message: `required when action is "${a}"` });
        if (s.action !== a && s[a] !== undefined) ctx.addIssue({ code: "custom", path: [a], message: `only applies to action "${a}"; remove it` });
    }
    if (s.action === "partition" && s.target === undefined && s.externalTargets === undefined) {
        ctx.addIssue({ code: "custom", path: ["target"], message: "a partition needs the other side: give target (pods) or externalTargets" });
    }
});
export type NetworkChaosSpec = z.infer<typeof NetworkChaosSpec>;

/**
 * Chaos Mesh NetworkChaos: delay, drop, cut or throttle the selected pods' traffic, for `duration` (default: ttl).
 *
 * ```ts
 * new NetworkChaos("web-latency", {
 *     selector: { namespace: "shop", labels: { app: "web" }, mode: "fixed-percent", value: 50 },
 *     action: "delay", delay: { latency: "200ms", jitter: "20ms" },
 *     target: { namespace: "shop", labels: { app: "db" } }, ttl: "5m",
 * });
 * ```
 */
export const fault = defineChaosMeshFault({
    kind: "kubernetes:network-chaos",
    component: "NetworkChaos",
    chaosKind: "NetworkChaos",
    schema: NetworkChaosSpec,
    failureClass: "slow-dependency",
    up: "Chaos Mesh NetworkChaos: delay, loss, partition, bandwidth",
    module: __filename,
    body: (s) => {
        const spec: Record<string, unknown> = { action: s.action, direction: s.direction };
        if (s.target) spec.target = chaosSelectorFields(s.target);
        if (s.externalTargets) spec.externalTargets = s.externalTargets;
        if (s.delay) {
            spec.delay = {
                latency: s.delay.latency,
                ...(s.delay.jitter !== undefined ? { jitter: s.delay.jitter } : {}),
                ...(s.delay.correlation !== undefined ? { correlation: String(s.delay.correlation) } : {}),
            };
        }
        if (s.loss) spec.loss = { loss: String(s.loss.loss), ...(s.loss.correlation !== undefined ? { correlation: String(s.loss.correlation) } : {}) };
        if (s.bandwidth) spec.bandwidth = s.bandwidth;
        if (s.device) spec.device = s.device;
        const other = s.target ? ` ${s.direction} ${describeSelector(s.target)}` : s.externalTargets ? ` ${s.direction} ${s.externalTargets.join(",")}` : "";
        const detail =
            s.action === "delay" ? ` by ${s.delay!.latency}` : s.action === "loss" ? ` ${s.loss!.loss}%` : s.action === "bandwidth" ? ` to ${s.bandwidth!.rate}` : "";
        return { spec, description: `network ${s.action}${detail} on ${describeSelector(s.selector)}${other}` };
    },
});
