/** faultline's components, by target. */
export * as aws from "./aws";
export * as docker from "./docker";
export * as kubernetes from "./kubernetes";
