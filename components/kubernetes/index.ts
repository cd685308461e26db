// The Kubernetes components. Every fault component class is made from its kind's definition in the registry
// (components/registry.ts), with the Kubernetes libraries (lib.ts). TypeScript needs each exported name written
// out, so the list below is checked against the registry: a registered kind missing here is a type error
// (`unexported`), and a name not registered is too.
import { resourceComponent, type ResourceComponentArgs, type ResourceComponentClass } from "../core/resourceComponent";
import { KUBERNETES_FAULTS, type KubernetesFault } from "../registry";
import { kubernetesLib } from "./lib";

/** The component class of every registered Kubernetes kind, by class name (e.g. `PodKill`). */
type KubernetesComponents = { [D in KubernetesFault as D["component"]]: ResourceComponentClass<D> };

const components = Object.fromEntries(KUBERNETES_FAULTS.map((f) => [f.component, resourceComponent(f, kubernetesLib)])) as unknown as KubernetesComponents;

export const { DnsChaos, IoChaos, NetworkChaos, NetworkPartition, NodeThrottle, PodKill, StressChaos, TimeChaos, ...unexported }: KubernetesComponents = components;
/** Empty, or the type error names the registered kinds this module does not export yet. */
const _everyKindExported: Record<string, never> = unexported;

/** Arguments of a Kubernetes fault component, by class name, e.g. `kubernetes.Args<"PodKill">`. */
export type Args<C extends keyof KubernetesComponents> = ResourceComponentArgs<Extract<KubernetesFault, { component: C }>>;
/** Arguments of {@link DnsChaos}. */
export type DnsChaosArgs = Args<"DnsChaos">;
/** Arguments of {@link IoChaos}. */
export type IoChaosArgs = Args<"IoChaos">;
/** Arguments of {@link NetworkChaos}. */
export type NetworkChaosArgs = Args<"NetworkChaos">;
/** Arguments of {@link NetworkPartition}. */
export type NetworkPartitionArgs = Args<"NetworkPartition">;
/** Arguments of {@link NodeThrottle}. */
export type NodeThrottleArgs = Args<"NodeThrottle">;
/** Arguments of {@link PodKill}. */
export type PodKillArgs = Args<"PodKill">;
/** Arguments of {@link StressChaos}. */
export type StressChaosArgs = Args<"StressChaos">;
/** Arguments of {@link TimeChaos}. */
export type TimeChaosArgs = Args<"TimeChaos">;

export { Reaper, type ReaperArgs } from "./reaper/Reaper";
