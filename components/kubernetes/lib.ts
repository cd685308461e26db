// The Pulumi libraries a Kubernetes kind's `build` declares its resources with (core/defineFault.ts,
// ResourceContext). A kind file imports only the type: it stays free of @pulumi/*, so the registry that lists it
// can be bundled into the reapers; the component (core/resourceComponent.ts) passes kubernetesLib() in.
import type { z } from "zod";
import type * as K8s from "@pulumi/kubernetes";
import type * as Pulumi from "@pulumi/pulumi";
import { defineResourceFault, type ResourceContext, type ResourceFaultDefinition, type ResourceFaultInput, type ResourceFields } from "../core/defineFault";
import type { FaultSpecSchema } from "../core/component";
import type { FaultLease, leaseFor } from "./FaultLease";
import type { NodeChange, ObjectRef } from "./lease";
import { faultMetadata, type FaultMetadata } from "./meta";

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
 * What a Kubernetes kind's `build` gets: the context every resource kind gets, plus the two things every Kubernetes
 * fault derives from its owner and time-to-live the same way.
 */
export interface KubernetesContext<Spec> extends ResourceContext<Spec, KubernetesLib> {
    /** The labels and annotations of an object of this fault that plays `role` (meta.ts, faultMetadata). */
    metadata(role: string): FaultMetadata;
    /**
     * The fault's lease in `namespace`, listing what the reaper deletes (`objects`) and restores (`nodes`) at expiry:
     * make it the first child, and every object of the fault depend on it (FaultLease.ts).
     */
    lease(namespace: string, objects: ObjectRef[], nodes?: Omit<NodeChange, "before">[]): FaultLease;
}

/** A Kubernetes kind's definition as written: its `build` takes a {@link KubernetesContext}; `docs` is optional. */
export type KubernetesFaultInput<S extends FaultSpecSchema, K extends string, C extends string, F extends ResourceFields> = Omit<ResourceFaultInput<S, K, C, KubernetesLib, F>, "docs" | "build"> & {
    docs?: string;
    build: (ctx: KubernetesContext<z.output<S>>) => F;
};

/**
 * Defines a Kubernetes kind (core/defineFault.ts, defineResourceFault): its `build` gets a
 * {@link KubernetesContext}, and its Docs column defaults to {@link KUBERNETES_DOCS}.
 */
export function defineKubernetesFault<S extends FaultSpecSchema, K extends `kubernetes:${string}`, C extends string, F extends ResourceFields>(
    def: KubernetesFaultInput<S, K, C, F>,
): ResourceFaultDefinition<S, K, C, KubernetesLib, F> {
    const { build, ...rest } = def;
    return defineResourceFault({ docs: KUBERNETES_DOCS, ...rest, build: (ctx) => build(kubernetesContext(ctx)) });
}

function kubernetesContext<Spec>(ctx: ResourceContext<Spec, KubernetesLib>): KubernetesContext<Spec> {
    const { parent, name, owner, ttlMs, opts, lib } = ctx;
    return {
        ...ctx,
        metadata: (role) => faultMetadata(owner, role, ttlMs),
        lease: (namespace, objects, nodes) => lib.leaseFor(parent, name, { namespace, owner, ttlMs, objects, ...(nodes ? { nodes } : {}) }, opts),
    };
}
