export { NetworkDisconnect, type NetworkDisconnectArgs } from "./NetworkDisconnect";
export { CpuStress, type CpuStressArgs } from "./CpuStress";
export { MemoryStress, type MemoryStressArgs } from "./MemoryStress";
export { DiskFill, type DiskFillArgs } from "./DiskFill";
export { ClockSkew, type ClockSkewArgs } from "./ClockSkew";
