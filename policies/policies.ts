// The policy array, apart from index.ts: constructing `new PolicyPack()` starts the analyzer's gRPC server, so tests
// import the policies from here (or from their own files) and never from index.ts.
import type { Policies } from "@pulumi/policy";
import { blastRadius } from "./blastRadius";
import { cpuStressWorkers, diskFillReserve, memoryStressAbsolute } from "./bounds";
import { fisLogging, fisRoleScoped, fisStopCondition, fisTargetSelection } from "./fis";
import { chaosMeshDuration, k8sPartitionNamespaces, nodeStressLimits } from "./kubernetes";
import { productionApproval } from "./production";
import { experimentDeclared, maxConcurrentFaults, noSharedTargets } from "./stack";
import { optInTargets } from "./targets";
import { faultTtl } from "./ttl";
import { gameDayWindow } from "./window";

export { blastRadius } from "./blastRadius";
export { cpuStressWorkers, diskFillReserve, memoryStressAbsolute } from "./bounds";
export { fisLogging, fisRoleScoped, fisStopCondition, fisTargetSelection } from "./fis";
export { chaosMeshDuration, k8sPartitionNamespaces, nodeStressLimits } from "./kubernetes";
export { productionApproval } from "./production";
export { experimentDeclared, maxConcurrentFaults, noSharedTargets } from "./stack";
export { optInTargets } from "./targets";
export { faultTtl } from "./ttl";
export { gameDayWindow } from "./window";

/** Every policy of the faultline pack, in the order the engine reports them. */
export const policies: Policies = [
    faultTtl,
    blastRadius,
    optInTargets,
    cpuStressWorkers,
    memoryStressAbsolute,
    diskFillReserve,
    productionApproval,
    fisStopCondition,
    fisRoleScoped,
    fisTargetSelection,
    fisLogging,
    k8sPartitionNamespaces,
    chaosMeshDuration,
    nodeStressLimits,
    experimentDeclared,
    noSharedTargets,
    maxConcurrentFaults,
    gameDayWindow,
];
