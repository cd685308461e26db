import type * as pulumi from "@pulumi/pulumi";
import { FisExperimentRun } from "../components/aws/FisExperimentRun";
import { FisExperimentTemplate } from "../components/aws/FisExperimentTemplate";
import { NetworkDisconnect } from "../components/docker/NetworkDisconnect";
import { formatDuration } from "../components/core/duration";
import type { ExperimentSpec, FaultSpec } from "../components/experiment";
import { DnsChaos } from "../components/kubernetes/DnsChaos";
import { IoChaos } from "../components/kubernetes/IoChaos";
import { NetworkChaos } from "../components/kubernetes/NetworkChaos";
import { NetworkPartition } from "../components/kubernetes/NetworkPartition";
import { NodeThrottle } from "../components/kubernetes/NodeThrottle";
import { PodKill } from "../components/kubernetes/PodKill";
import { Reaper } from "../components/kubernetes/Reaper";
import { StressChaos } from "../components/kubernetes/StressChaos";
import { TimeChaos } from "../components/kubernetes/TimeChaos";

type Described = pulumi.ComponentResource & { description: string };

/** Creates the component for one fault of an experiment. */
function faultComponent(fault: FaultSpec, experiment: string): Described {
    // The experiment schema already parsed `ttl` to milliseconds; components take the written form.
    const { kind, name, ttl, ...spec } = fault;
    const common = { ttl: formatDuration(ttl), experiment };
    // Kubernetes and AWS entries are kept as written (see asWritten in experiment.ts); their components validate them.
    const raw = { ...spec, ...common } as never;
    switch (kind) {
        case "docker:network-disconnect":
            return new NetworkDisconnect(name, { ...(spec as { container: string; network: string }), ...common });
        case "kubernetes:network-partition":
            return new NetworkPartition(name, raw);
        case "kubernetes:pod-kill":
            return new PodKill(name, raw);
        case "kubernetes:node-throttle":
            return new NodeThrottle(name, raw);
        case "kubernetes:network-chaos":
            return new NetworkChaos(name, raw);
        case "kubernetes:stress-chaos":
            return new StressChaos(name, raw);
        case "kubernetes:time-chaos":
            return new TimeChaos(name, raw);
        case "kubernetes:dns-chaos":
            return new DnsChaos(name, raw);
        case "kubernetes:io-chaos":
            return new IoChaos(name, raw);
        case "aws:fis-experiment": {
            const { run, ...template } = spec as { run?: Record<string, unknown> };
            const t = new FisExperimentTemplate(name, { ...template, ...common } as never);
            if (run) new FisExperimentRun(`${name}-run`, { ...run, templateId: t.templateId, ...common } as never);
            return t;
        }
        case "aws:fis-experiment-run":
            return new FisExperimentRun(name, raw);
    }
}

/**
 * The in-cluster reapers an experiment's Kubernetes faults need: one per namespace they create objects in, with
 * node permissions where a node fault lives and Chaos Mesh kinds where a Chaos Mesh fault lives.
 */
function reapers(spec: ExperimentSpec): Reaper[] {
    const need = new Map<string, { nodes: boolean; chaosMesh: boolean }>();
    const add = (ns: string, what: { nodes?: boolean; chaosMesh?: boolean }) => {
        const n = need.get(ns) ?? { nodes: false, chaosMesh: false };
        need.set(ns, { nodes: n.nodes || !!what.nodes, chaosMesh: n.chaosMesh || !!what.chaosMesh });
    };
    for (const f of spec.faults) {
        const raw = f as unknown as { namespace?: string; selector?: { namespace?: string }; engine?: string; stress?: { namespace?: string } };
        if (f.kind === "kubernetes:network-partition") add(raw.namespace!, {});
        else if (f.kind === "kubernetes:pod-kill") add(raw.selector!.namespace!, { chaosMesh: raw.engine === "chaos-mesh" });
        else if (f.kind === "kubernetes:node-throttle") add(raw.stress?.namespace ?? spec.kubernetes?.reaperNamespace ?? "default", { nodes: true });
        else if (f.kind.startsWith("kubernetes:")) add(raw.selector!.namespace!, { chaosMesh: true });
    }
    return [...need].map(
        ([namespace, what]) => new Reaper(`reaper-${namespace}`, { namespace, ...what, ...(spec.kubernetes?.reaperImage ? { image: spec.kubernetes.reaperImage } : {}) }),
    );
}

/** Turns an experiment spec into its fault components (and their reapers) and returns what the stack exports. */
export function buildExperiment(spec: ExperimentSpec) {
    const faults = spec.faults.map((f) => faultComponent(f, spec.name));
    const reaped = reapers(spec);
    return {
        experiment: spec.name,
        faults: Object.fromEntries(spec.faults.map((f, i) => [f.name, { kind: f.kind, description: faults[i]!.description }])),
        ...(reaped.length ? { reapers: reaped.map((r) => r.namespace) } : {}),
    };
}
