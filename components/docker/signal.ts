import { z } from "zod";

/**
 * Signals a fault may send. SIGSTOP and SIGCONT are left out on purpose: freezing a container is the pause fault,
 * which knows how to undo itself.
 */
export const SIGNALS = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGABRT", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGTERM"] as const;

/** A signal name such as "SIGKILL" or "SIGTERM". */
export const Signal = z.enum(SIGNALS, { error: `must be one of: ${SIGNALS.join(", ")}` });
export type Signal = z.infer<typeof Signal>;
