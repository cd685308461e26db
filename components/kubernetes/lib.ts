// The Pulumi libraries a Kubernetes kind's `build` declares its resources with (core/defineFault.ts,
// ResourceContext). A kind file imports only the type: it stays free of @pulumi/*, so the registry that lists it
// can be bundled into the reapers; the component (core/resourceComponent.ts) passes kubernetesLib() in.
import type * as K8s from "@pulumi/kubernetes";
import type * as Pulumi from "@pulumi/pulumi";
import { defineResourceFault, type ResourceFaultDefinition, type ResourceFaultInput, type ResourceFields } from "../core/defineFault";
import type { FaultSpecSchema } from "../core/component";
import type { leaseFor } from "./FaultLease";

/** What a Kubernetes kind declares its resources with. */
export interface KubernetesLib {
    /** @pulumi/kubernetes. */
    readonly k8s: typeof K8s;
    /** @pulumi/pulumi. */
    readonly pulumi: typeof Pulumi;
    /** The fault's lease, its first child: make every object of the fault depend on it (FaultLease.ts). */
    readonly leaseFor: typeof leaseFor;
}

let lib: KubernetesLib | undefined;

/** The Kubernetes kinds' libraries, loaded at the first component built. */
export function kubernetesLib(): KubernetesLib {
    lib ??= {
        k8s: require("@pulumi/kubernetes") as typeof K8s,
        pulumi: require("@pulumi/pulumi") as typeof Pulumi,
        leaseFor: (require("./FaultLease") as typeof import("./FaultLease")).leaseFor,
    };
    return lib;
}

/** The README's Docs column of every Kubernetes kind: docs/kubernetes-aws.md describes them all. */
export const KUBERNETES_DOCS = "[docs/kubernetes-aws.md](docs/kubernetes-aws.md)";

/**
 * Defines a Kubernetes kind (core/defineFault.ts, defineResourceFault): its `build` gets these libraries, and its
 * Docs column defaults to {@link KUBERNETES_DOCS}.
 */
export function defineKubernetesFault<S extends FaultSpecSchema, K extends `kubernetes:${string}`, C extends string, F extends ResourceFields>(
    def: Omit<ResourceFaultInput<S, K, C, KubernetesLib, F>, "docs"> & { docs?: string },
): ResourceFaultDefinition<S, K, C, KubernetesLib, F> {
    return defineResourceFault({ docs: KUBERNETES_DOCS, ...def });
}
