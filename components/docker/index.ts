export { NetworkDisconnect, type NetworkDisconnectArgs } from "./NetworkDisconnect";
export { DependencyDown, type DependencyDownArgs } from "./DependencyDown";
export { ToxiproxyToxic, type ToxiproxyToxicArgs } from "./ToxiproxyToxic";
