// faultline/testing: faults inside a user's own test suite (node:test, vitest, jest), with no Pulumi stack.
// Imports stay relative and plain, so the package's compiled form is this folder as tsc emits it.
export { parseFault, startFault, withFault, type FaultInput, type InjectedFault, type ParsedFault, type WithFaultOptions } from "./withFault";
