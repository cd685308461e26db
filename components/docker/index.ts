// The Docker components. Every fault component class is made from its kind's definition in the registry
// (components/registry.ts). TypeScript needs each exported name written out, so the list below is checked against
// the registry: a registered kind missing here is a type error (`unexported`), and a name not registered is too.
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
    HttpFault,
    IoStress,
    MemoryStress,
    Netem,
    NetworkDisconnect,
    PartialPartition,
    ProcessKill,
    ResourceLimits,
    ToxiproxyToxic,
    ...unexported
}: DockerComponents = components;
/** Empty, or the type error names the registered kinds this module does not export yet. */
const _everyKindExported: Record<string, never> = unexported;

/** Arguments of a Docker fault component, by class name, e.g. `docker.Args<"ContainerPause">`. */
export type Args<C extends keyof DockerComponents> = FaultComponentArgs<Extract<DockerFault, { component: C }>>;

export { ComposeStack, type ComposeStackArgs } from "./environments/ComposeStack";
export { DockerSandbox, type DockerSandboxArgs } from "./environments/DockerSandbox";
