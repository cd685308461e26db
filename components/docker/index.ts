// The Docker components. Every fault component class is made from its kind's definition in the registry
// (components/registry.ts), so this list is checked against it: a registered kind missing here is a type error.
import { faultComponent, type FaultComponentArgs, type FaultComponentClass } from "../core/faultComponent";
import { DOCKER_FAULTS, type DockerFault } from "../registry";

/** The component class of every registered Docker kind, by class name (e.g. `ContainerPause`). */
type DockerComponents = { [D in DockerFault as D["component"]]: FaultComponentClass<D> };

const components = Object.fromEntries(DOCKER_FAULTS.map((f) => [f.component, faultComponent(f)])) as unknown as DockerComponents;

export const {
    BandwidthLimit,
    ClockSkew,
    ContainerKill,
    ContainerPause,
    ContainerRestart,
    ContainerStop,
    CpuStress,
    DependencyDown,
    DiskFill,
    DnsFailure,
    MemoryStress,
    Netem,
    NetworkDisconnect,
    PartialPartition,
    ProcessKill,
    ResourceLimits,
    ToxiproxyToxic,
}: DockerComponents = components;

/** Arguments of a Docker fault component, by class name, e.g. `docker.Args<"ContainerPause">`. */
export type Args<C extends keyof DockerComponents> = FaultComponentArgs<Extract<DockerFault, { component: C }>>;

export { ComposeStack, type ComposeStackArgs } from "./ComposeStack";
export { DockerSandbox, type DockerSandboxArgs } from "./DockerSandbox";
