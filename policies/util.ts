// Helpers shared by the policies: recognising faults among the resources of a stack, reading durations in the three
// notations faults use, and merging a policy's configuration over its defaults.
//
// The pack has its own package.json and is run by the engine from this directory. The one thing it takes from the
// rest of the repository is spec/units.ts, which imports nothing, so durations are read by the same parser the
// experiment spec uses.
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { EXPERIMENT_TYPE, FAULTLINE_TYPE_PREFIX } from "../spec/resourceTypes";
import { parseDuration } from "../spec/units";

export { EXPERIMENT_TYPE, FAULTLINE_TYPE_PREFIX } from "../spec/resourceTypes";

/** Chaos Mesh custom resources, by their Pulumi type token. */
export const CHAOS_MESH_PREFIX = "kubernetes:chaos-mesh.org/v1alpha1:";

export const NETWORK_POLICY_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const DAEMON_SET_TYPE = "kubernetes:apps/v1:DaemonSet";
export const FIS_TEMPLATE_TYPE = "aws:fis/experimentTemplate:ExperimentTemplate";

/** The labels faultline writes on what it creates (components/core/labels.ts). */
export const LABELS = {
    managed: "dev.faultline.managed",
    experiment: "dev.faultline.experiment",
    role: "dev.faultline.role",
    /** Set to "true" on a Chaos Mesh resource or an FIS template to allow a blast radius of `all`. */
    allowAll: "dev.faultline.allow-all",
} as const;

/** A faultline fault as the engine hands it to policies: the FaultResource inputs. */
export interface FaultProps {
    kind: string;
    spec?: Record<string, any>;
    owner?: { project?: string; stack?: string; experiment?: string; fault?: string; kind?: string };
    ttlMs?: number;
    targets?: { name: string; labels?: Record<string, string> }[];
}

/** The inputs of the experiment metadata resource (components/core/ExperimentMetadata.ts). */
export interface ExperimentProps {
    name?: string;
    owner?: string;
    description?: string;
    hypothesis?: string;
    steadyStateProbes?: number;
    stopConditions?: number;
    environment?: string;
    approval?: { by?: string; at?: string; expires?: string; ticket?: string };
    allowSharedTargets?: boolean;
}

/** True for a faultline fault (any kind), false for the experiment metadata and everything else. */
export function isFault(r: { type: string; props: Record<string, any> }): boolean {
    return r.type.startsWith(FAULTLINE_TYPE_PREFIX) && r.type !== EXPERIMENT_TYPE && typeof r.props.kind === "string";
}

/** True for a Chaos Mesh custom resource. */
export function isChaosMesh(r: { type: string }): boolean {
    return r.type.startsWith(CHAOS_MESH_PREFIX);
}

/** True for a NetworkPolicy that faultline manages (a Kubernetes partition). */
export function isManagedNetworkPolicy(r: { type: string; props: Record<string, any> }): boolean {
    return r.type === NETWORK_POLICY_TYPE && labelsOf(r.props)[LABELS.managed] === "true";
}

/** True for a node-throttling DaemonSet that faultline manages. */
export function isNodeStress(r: { type: string; props: Record<string, any> }): boolean {
    return r.type === DAEMON_SET_TYPE && labelsOf(r.props)[LABELS.role] === "node-stress";
}

/** True for anything that breaks something: the resources the stack-wide policies count and check. */
export function isAnyFault(r: { type: string; props: Record<string, any> }): boolean {
    return isFault(r) || isChaosMesh(r) || isManagedNetworkPolicy(r) || isNodeStress(r) || r.type === FIS_TEMPLATE_TYPE;
}

/** Kubernetes `metadata.labels`, or {} */
export function labelsOf(props: Record<string, any>): Record<string, string> {
    return (props.metadata?.labels as Record<string, string> | undefined) ?? {};
}

/** FIS template tags, or {}. */
export function tagsOf(props: Record<string, any>): Record<string, string> {
    return (props.tags as Record<string, string> | undefined) ?? {};
}

/** A short human name for a resource in messages: the fault name, the Kubernetes name or the Pulumi name. */
export function displayName(r: { name: string; props: Record<string, any> }): string {
    return r.props.owner?.fault ?? r.props.metadata?.name ?? r.name;
}

/** The experiment a fault-like resource belongs to, from its owner or its labels/tags; undefined if none. */
export function experimentOf(r: { type: string; props: Record<string, any> }): string | undefined {
    if (isFault(r)) return r.props.owner?.experiment;
    if (r.type === FIS_TEMPLATE_TYPE) return tagsOf(r.props)[LABELS.experiment];
    return labelsOf(r.props)[LABELS.experiment];
}

/** The stack name in a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackOfUrn(urn: string): string | undefined {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    return m?.[1];
}

/** The stack's resources that are faultline experiment metadata, by experiment name. */
export function experimentsByName(resources: PolicyResource[]): Map<string, ExperimentProps> {
    const out = new Map<string, ExperimentProps>();
    for (const r of resources) {
        if (r.type === EXPERIMENT_TYPE && typeof r.props.name === "string") out.set(r.props.name, r.props as ExperimentProps);
    }
    return out;
}

/** A policy's configuration: what the user set in the pack config over the policy's defaults. */
export function configOf<T extends object>(args: ResourceValidationArgs | StackValidationArgs, defaults: T): T {
    return { ...defaults, ...args.getConfig<Partial<T>>() };
}

/** Parses a configured duration such as a policy's `maxTtl`, failing loudly on a typo in the pack config. */
export function configDuration(policy: string, key: string, value: string): number {
    const ms = parseDuration(value);
    if (ms === undefined) throw new Error(`policy ${policy}: config ${key} "${value}" is not a duration such as "30m"`);
    return ms;
}
