export { NetworkDisconnect, type NetworkDisconnectArgs } from "./NetworkDisconnect";
export { ContainerKill, type ContainerKillArgs } from "./ContainerKill";
export { ContainerStop, type ContainerStopArgs } from "./ContainerStop";
export { ContainerRestart, type ContainerRestartArgs } from "./ContainerRestart";
export { ContainerPause, type ContainerPauseArgs } from "./ContainerPause";
export { ProcessKill, type ProcessKillArgs } from "./ProcessKill";
export { ResourceLimits, type ResourceLimitsArgs } from "./ResourceLimits";
