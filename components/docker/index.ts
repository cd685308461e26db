export { BandwidthLimit, type BandwidthLimitArgs } from "./BandwidthLimit";
export { DnsFailure, type DnsFailureArgs } from "./DnsFailure";
export { Netem, type NetemArgs } from "./Netem";
export { NetworkDisconnect, type NetworkDisconnectArgs } from "./NetworkDisconnect";
export { PartialPartition, type PartialPartitionArgs } from "./PartialPartition";
export { DependencyDown, type DependencyDownArgs } from "./DependencyDown";
export { ToxiproxyToxic, type ToxiproxyToxicArgs } from "./ToxiproxyToxic";
