// The opt-in label, in one place for both sides: the pack's opt-in-targets policy (its default) and the Docker
// drivers' own check in the provider (components/core/optIn.ts), so the two can never ask for different labels.
// It lives in spec/, the one layer both import (the policy pack imports spec/ only; components/ never policies/),
// and imports nothing: the drivers that use it are bundled into reapers.

/** The label (Docker, Kubernetes) or tag (AWS) whose value {@link OPT_IN_VALUE} opts a target in to faults. */
export const OPT_IN_LABEL = "chaos.opt-in";

/** The value of {@link OPT_IN_LABEL} that opts a target in. */
export const OPT_IN_VALUE = "true";
