// The Pulumi type tokens of faultline's own dynamic resources, in one place for the two sides that recognise them in
// a stack: the policy pack (policies/util.ts) and the runner (runner/experiment.ts). Like spec/optIn.ts, it lives in
// spec/, the one layer both import, and imports nothing.

/** Type prefix of every faultline dynamic resource (faults, the experiment, environments, leases). */
export const FAULTLINE_TYPE_PREFIX = "pulumi-nodejs:dynamic/faultline:";

/** Type token of the experiment metadata resource (components/core/ExperimentMetadata.ts). */
export const EXPERIMENT_TYPE = `${FAULTLINE_TYPE_PREFIX}Experiment`;
