import { commandProbe } from "./command";
import { containerHealthProbe, containerStatsProbe } from "./container";
import { httpProbe } from "./http";
import { kubernetesProbe } from "./kubernetes";
import { messageCountProbe } from "./redis";
import type { NamedProbe } from "../../spec/probe";
import { tcpProbe } from "./tcp";
import type { Probe } from "./types";

export type { Probe, ProbeResult } from "./types";
export { ProbeSpec, type NamedProbe } from "../../spec/probe";

/** Creates the probe a validated spec describes. */
export function createProbe(spec: NamedProbe): Probe {
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
    }
}
