import * as pulumi from "@pulumi/pulumi";
import type { ProviderStub } from "./providerStub";

/**
 * A dynamic resource whose provider is a {@link ProviderStub}. It registers what `pulumi.dynamic.Resource` registers
 * (type `pulumi-nodejs:dynamic/<module>:<type>`, served by Pulumi's Node.js dynamic-provider plugin, the provider's
 * module text in the `__provider` input), but with the stub's text as written, without the closure serializer.
 */
export abstract class StubbedResource extends pulumi.CustomResource {
    constructor(stub: ProviderStub, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions | undefined, module: string, type: string) {
        super(`pulumi-nodejs:dynamic/${module}:${type}`, name, { ...props, __provider: stub.text }, opts);
    }
}
