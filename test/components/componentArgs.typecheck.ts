// Compiled by `npm run typecheck` only (no test runner picks up *.typecheck.ts): the args of a kind's component, as a
// user's Pulumi program writes them (`import { docker } from "faultline"`), are typed from the kind's schema input.
// Each @ts-expect-error fails the type check if the error it expects goes away, so this file cannot pass vacuously.
import { docker } from "../../stacks/package";

export function typedArgs(): void {
    new docker.CpuStress("cpu", { target: { name: "web" }, workers: 1, load: 30, ttl: "2m" });
    new docker.NetworkDisconnect("cut", { container: "web", network: "backend", ttl: "1m" });
    // @ts-expect-error a misspelt field of the kind's schema is a type error
    new docker.CpuStress("cpu2", { target: { name: "web" }, wrokers: 1, ttl: "2m" });
    // @ts-expect-error the kind's required target is required
    new docker.ContainerPause("pause", { ttl: "1m" });
    // @ts-expect-error every fault needs its time-to-live
    new docker.NetworkDisconnect("cut2", { container: "web", network: "backend" });
}
