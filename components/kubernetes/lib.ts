// The Pulumi libraries a Kubernetes kind's `build` declares its resources with (core/defineFault.ts,
// ResourceContext). A kind file imports only the type: it stays free of @pulumi/*, so the registry that lists it
// can be bundled into the reapers; the component (core/resourceComponent.ts) passes kubernetesLib() in.
import type * as K8s from "@pulumi/kubernetes";
import type * as Pulumi from "@pulumi/pulumi";
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
