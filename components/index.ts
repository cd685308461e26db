/** faultline's components, by target. */
export * as docker from "./docker";
