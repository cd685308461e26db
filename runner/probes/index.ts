import { commandProbe } from "./command";
import { containerHealthProbe, containerStatsProbe } from "./container";
import { httpProbe } from "./http";
import { kubernetesProbe } from "./kubernetes";
import { prometheusProbe } from "./prometheus";
import { messageCountProbe } from "./redis";
import type { NamedProbe } from "../../spec/probe";
import { tcpProbe } from "./tcp";
import type { Probe, ProbeResult } from "./types";

export type { Probe, ProbeResult } from "./types";
export { ProbeSpec, type NamedProbe } from "../../spec/probe";

/**
 * Creates the probe a validated spec describes. Every sample ends by its timeout: one that has not answered by then
 * is a failed sample at its deadline, whatever the probe's own client does (a `docker exec` or a Kubernetes call can
 * outlive any timeout it was given), so stop conditions see a hanging target when its deadline passes.
 */
export function createProbe(spec: NamedProbe): Probe {
    return withDeadline(probeOf(spec), spec.timeout);
}

/** Ends each sample of `probe` at `timeoutMs` at the latest, as a failure saying so. */
export function withDeadline(probe: Probe, timeoutMs: number): Probe {
    return {
        name: probe.name,
        kind: probe.kind,
        sample(): Promise<ProbeResult> {
            let timer: NodeJS.Timeout | undefined;
            const late = new Promise<ProbeResult>((resolve) => {
                timer = setTimeout(() => resolve({ ok: false, latencyMs: timeoutMs, detail: `timed out after ${timeoutMs} ms` }), timeoutMs);
            });
            // A sample that throws (no probe should) is a failure too, never a crash of the sampler.
            const own = probe.sample().catch((err: unknown): ProbeResult => ({ ok: false, latencyMs: timeoutMs, detail: String(err) }));
            return Promise.race([own, late]).finally(() => clearTimeout(timer));
        },
        close: () => probe.close(),
    };
}

function probeOf(spec: NamedProbe): Probe {
    switch (spec.kind) {
        case "http":
            return httpProbe(spec);
        case "tcp":
            return tcpProbe(spec);
        case "command":
            return commandProbe(spec);
        case "container-health":
            return containerHealthProbe(spec);
        case "container-stats":
            return containerStatsProbe(spec);
        case "message-count":
            return messageCountProbe(spec);
        case "kubernetes":
            return kubernetesProbe(spec);
        case "prometheus":
            return prometheusProbe(spec);
    }
}
