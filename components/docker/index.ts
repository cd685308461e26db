export { NetworkDisconnect, type NetworkDisconnectArgs } from "./NetworkDisconnect";
