import type * as pulumi from "@pulumi/pulumi";
import { ExperimentMetadata, experimentMetadataArgs } from "../components/core/ExperimentMetadata";
import { ComposeStack } from "../components/docker/ComposeStack";
import { faultSpecOf } from "../spec/experiment";
import type { ExperimentFault, ExperimentSpec, FaultKind } from "../components/experiment";
import { DOCKER_FAULTS, drivers } from "../components/registry";
import { faultComponent as componentOf } from "../components/core/faultComponent";
import type { Reaper } from "../components/kubernetes/Reaper";

type Described = pulumi.ComponentResource & { description: string };

/** A fault component class: every one takes (name, args, opts) and says what it breaks. */
type FaultComponent = new (name: string, args: never, opts?: pulumi.ComponentResourceOptions) => Described;

/** An FIS template, and its run when the entry has `run`: `up` then starts the experiment too. */
function fisExperiment(): FaultComponent {
    const { FisExperimentTemplate } = require("../components/aws/FisExperimentTemplate") as typeof import("../components/aws/FisExperimentTemplate");
    const { FisExperimentRun } = require("../components/aws/FisExperimentRun") as typeof import("../components/aws/FisExperimentRun");
    return class FisExperiment {
        constructor(name: string, args: never, opts?: pulumi.ComponentResourceOptions) {
            const { run, ...template } = args as { run?: Record<string, unknown>; ttl: string; experiment: string };
            const t = new FisExperimentTemplate(name, template as never, opts);
            if (run) {
                new FisExperimentRun(`${name}-run`, { ...run, templateId: t.templateId, ttl: template.ttl, experiment: template.experiment } as never, opts);
            }
            return t;
        }
    } as unknown as FaultComponent;
}

/**
 * The component of every fault kind, as a loader: the registry's Docker kinds, then the Kubernetes and AWS
 * components. Only the kinds an experiment uses are loaded, so a Docker experiment never requires
 * @pulumi/kubernetes or @pulumi/aws (seconds of program start-up). A kind missing here is a type error.
 */
const COMPONENTS: Record<FaultKind, () => FaultComponent> = {
    ...(Object.fromEntries(DOCKER_FAULTS.map((f) => [f.kind, () => componentOf(f) as unknown as FaultComponent])) as Record<(typeof DOCKER_FAULTS)[number]["kind"], () => FaultComponent>),
    "kubernetes:network-partition": () => (require("../components/kubernetes/NetworkPartition") as typeof import("../components/kubernetes/NetworkPartition")).NetworkPartition,
    "kubernetes:pod-kill": () => (require("../components/kubernetes/PodKill") as typeof import("../components/kubernetes/PodKill")).PodKill,
    "kubernetes:node-throttle": () => (require("../components/kubernetes/NodeThrottle") as typeof import("../components/kubernetes/NodeThrottle")).NodeThrottle,
    "kubernetes:network-chaos": () => (require("../components/kubernetes/NetworkChaos") as typeof import("../components/kubernetes/NetworkChaos")).NetworkChaos,
    "kubernetes:stress-chaos": () => (require("../components/kubernetes/StressChaos") as typeof import("../components/kubernetes/StressChaos")).StressChaos,
    "kubernetes:time-chaos": () => (require("../components/kubernetes/TimeChaos") as typeof import("../components/kubernetes/TimeChaos")).TimeChaos,
    "kubernetes:dns-chaos": () => (require("../components/kubernetes/DnsChaos") as typeof import("../components/kubernetes/DnsChaos")).DnsChaos,
    "kubernetes:io-chaos": () => (require("../components/kubernetes/IoChaos") as typeof import("../components/kubernetes/IoChaos")).IoChaos,
    "aws:fis-experiment": fisExperiment,
    "aws:fis-experiment-run": () => (require("../components/aws/FisExperimentRun") as typeof import("../components/aws/FisExperimentRun")).FisExperimentRun,
};

/**
 * Creates the component for one fault of an experiment from its validated entry. The component validates its args
 * again, which gives the same values (every spec schema is idempotent, spec/fields.ts), so the parsed entry is
 * passed down as it is: its kind's spec, its ttl in milliseconds (filled in from timing.ttl if it had none).
 */
function faultComponent(fault: ExperimentFault, experiment: Pick<ExperimentSpec, "name" | "allowUnlabelledTargets">, opts: pulumi.ComponentResourceOptions) {
    // `expect` is the runner's business, not the component's.
    // The opt-out reaches each fault's owner only when set, so other stacks' faults are unchanged.
    const optOut = experiment.allowUnlabelledTargets === true ? { allowUnlabelledTargets: true } : {};
    const args = { ...faultSpecOf(fault), ttl: fault.ttl, experiment: experiment.name, ...optOut } as never;
    const load = COMPONENTS[fault.kind];
    // Unreachable for a validated experiment (its kinds are these); kept so a new kind cannot be silently skipped.
    if (!load) throw new Error(`faults.${fault.name}.kind: no component for kind "${fault.kind}"`);
    const Component = load();
    return new Component(fault.name, args, opts);
}

/**
 * The in-cluster reaper of an experiment with Kubernetes faults: one per stack, always running, in
 * `kubernetes.reaperNamespace` (default "default"). Every Kubernetes fault's lease depends on it, so it runs before
 * any fault goes in.
 */
function reaper(spec: ExperimentSpec): Reaper | undefined {
    if (!spec.faults.some((f) => f.kind.startsWith("kubernetes:"))) return undefined;
    const k = spec.kubernetes;
    const { Reaper: K8sReaper } = require("../components/kubernetes/Reaper") as typeof import("../components/kubernetes/Reaper");
    return new K8sReaper("reaper", { namespace: k?.reaperNamespace ?? "default", ...(k?.reaperImage ? { image: k.reaperImage } : {}) });
}

/** Turns a validated experiment into its fault components and returns what the stack exports. */
export function buildExperiment(spec: ExperimentSpec) {
    // What the experiment declares about itself, for the policy pack's stack-wide checks. With Docker faults it
    // also starts the stack's reaper ahead of them, standing by for the longest time-to-live, so that arming each
    // fault (before it touches its target) is a file write into a running reaper, not a container start.
    // Faults whose reaper shares another container's network namespace (a Toxiproxy's, to reach its API) are left
    // out: that reaper is a different one, which a standby started here could not know.
    // (Kubernetes kinds have no driver: their resources are Pulumi's own, reaped in-cluster.)
    const dockerTtls = spec.faults.filter((f) => drivers[f.kind]?.target === "docker" && !drivers[f.kind]!.reaperNetworkMode).map((f) => f.ttl);
    const metadata = new ExperimentMetadata(spec.name, {
        ...experimentMetadataArgs(spec),
        ...(dockerTtls.length ? { reaperStandbyMs: Math.max(...dockerTtls) } : {}),
    });
    // The environment comes first: faults depend on it, so they go in after it is healthy and out before it goes.
    const compose = spec.environment?.compose;
    const sandbox = compose
        ? new ComposeStack("sandbox", compose)
        : undefined;
    const deps: pulumi.ComponentResourceOptions = { dependsOn: sandbox ? [metadata, sandbox] : [metadata] };
    const k8sReaper = reaper(spec);
    const k8sDeps: pulumi.ComponentResourceOptions = k8sReaper ? { dependsOn: [...(deps.dependsOn as pulumi.Resource[]), k8sReaper] } : deps;
    const faults = spec.faults.map((f) => faultComponent(f, spec, f.kind.startsWith("kubernetes:") ? k8sDeps : deps));
    return {
        experiment: spec.name,
        faults: Object.fromEntries(spec.faults.map((f, i) => [f.name, { kind: f.kind, description: faults[i]!.description }])),
        ...(k8sReaper ? { reaper: { namespace: k8sReaper.namespace, deployment: k8sReaper.deploymentName } } : {}),
        sandbox: sandbox ? { projectName: sandbox.projectName, containers: sandbox.containers } : undefined,
    };
}
