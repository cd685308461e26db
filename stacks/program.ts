import type * as pulumi from "@pulumi/pulumi";
import { ExperimentMetadata, experimentMetadataArgs } from "../components/core/ExperimentMetadata";
import { ComposeStack } from "../components/docker/environments/ComposeStack";
import { faultSpecOf } from "../spec/experiment";
import type { ExperimentFault, ExperimentSpec, FaultKind } from "../components/experiment";
import { FAULTS, drivers } from "../components/registry";
import { faultComponent as componentOf } from "../components/core/faultComponent";
import { resourceComponent } from "../components/core/resourceComponent";
import type { AnyFaultDefinition, ResourceFaultDefinition, ResourceTarget } from "../components/core/defineFault";
import { kubernetesLib } from "../components/kubernetes/lib";
import { awsLib } from "../components/aws/lib";
import type { Reaper } from "../components/kubernetes/reaper/Reaper";

type Described = pulumi.ComponentResource & { description: string };

/** A fault component class: every one takes (name, args, opts) and says what it breaks. */
type FaultComponent = new (name: string, args: never, opts?: pulumi.ComponentResourceOptions) => Described;

/** The Pulumi libraries of each resource kind's target. */
const LIBS: Record<ResourceTarget, () => unknown> = { kubernetes: kubernetesLib };

/**
 * The component class of a registered kind: made from its driver, or from its resources and its target's libraries;
 * an AWS kind builds its own components (its template and run keep their names and types) with the AWS classes.
 */
function classOf(f: AnyFaultDefinition): FaultComponent {
    if (!f.driver && f.target === "aws") {
        // A plain function called with `new` returns what build returns: the template or run component itself.
        const build = f.build;
        return function (name: string, args: never, opts?: pulumi.ComponentResourceOptions) {
            return build(awsLib(), name, args, opts);
        } as unknown as FaultComponent;
    }
    return (f.driver ? componentOf(f) : resourceComponent(f as ResourceFaultDefinition, LIBS[(f as ResourceFaultDefinition).target] as never)) as unknown as FaultComponent;
}

/** The component of every registered fault kind. */
const COMPONENTS = Object.fromEntries(FAULTS.map((f) => [f.kind, classOf(f)])) as Record<FaultKind, FaultComponent>;

/**
 * Creates the component for one fault of an experiment from its validated entry. The component validates its args
 * again, which gives the same values (every spec schema is idempotent, spec/fields.ts), so the parsed entry is
 * passed down as it is: its kind's spec, its ttl in milliseconds (filled in from timing.ttl if it had none).
 */
function faultComponent(fault: ExperimentFault, experiment: Pick<ExperimentSpec, "name" | "allowUnlabelledTargets" | "environment">, opts: pulumi.ComponentResourceOptions) {
    // `expect` is the runner's business, not the component's.
    // The opt-out reaches each fault's owner only when set, so other stacks' faults are unchanged.
    const optOut = experiment.allowUnlabelledTargets === true ? { allowUnlabelledTargets: true } : {};
    // A Docker fault's targets in the experiment's own sandbox exist only once it is up: checked at inject, not preview.
    const sandboxed = experiment.environment.compose && fault.kind.startsWith("docker:") ? { targetsCreatedByStack: true } : {};
    const args = { ...faultSpecOf(fault), ttl: fault.ttl, experiment: experiment.name, ...optOut, ...sandboxed } as never;
    const Component = COMPONENTS[fault.kind];
    // Unreachable for a validated experiment (its kinds are these); kept so a new kind cannot be silently skipped.
    if (!Component) throw new Error(`faults.${fault.name}.kind: no component for kind "${fault.kind}"`);
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
    // Required here: @pulumi/kubernetes only loads for an experiment with Kubernetes faults.
    const { Reaper: ClusterReaper } = require("../components/kubernetes/reaper/Reaper") as typeof import("../components/kubernetes/reaper/Reaper");
    return new ClusterReaper("reaper", { namespace: k?.reaperNamespace ?? "default", ...(k?.reaperImage ? { image: k.reaperImage } : {}) });
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
