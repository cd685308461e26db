/** Base of the runner's errors: each says what happened and what to do. */
export class RunnerError extends Error {
    constructor(message: string) {
        super(message);
        // Each error's name is its class's, set once here rather than written again in every subclass.
        this.name = new.target.name;
    }
}

/** Another live process holds the stack's lock: two runs against one stack would fight over its faults. */
export class StackLockedError extends RunnerError {
    constructor(
        readonly stackName: string,
        readonly holder: LockHolder,
    ) {
        super(
            `stack "${stackName}" is locked by a running faultline (pid ${holder.pid} on ${holder.host}, ${holder.command}, since ${holder.startedAt}); ` +
                "wait for it to finish, or stop it with Ctrl-C (it rolls back first)",
        );
    }
}

/** Who holds a stack's lock. */
export interface LockHolder {
    pid: number;
    host: string;
    command: string;
    startedAt: string;
}

/** The experiment cannot run as written (no steady state to observe, blast radius exceeded, policy violated). */
export class ExperimentRefusedError extends RunnerError {
    constructor(
        readonly field: string,
        message: string,
    ) {
        super(`${field}: ${message}`);
    }
}

/** The stack already holds faults (another `up`, or a run that never rolled back): a run would judge them too. */
export class StackHoldsFaultsError extends RunnerError {
    constructor(
        readonly stackName: string,
        readonly faults: string[],
    ) {
        super(
            `stack "${stackName}" already holds ${faults.length} resource(s) from another \`pulumi up\` or an unfinished run: ${faults.join(", ")}; ` +
                `a run would judge their effect together with its own. Clear them with \`faultline rollback ${stackName}\` ` +
                `(or \`faultline recover --stack ${stackName}\` after a crash), then run again`,
        );
    }
}
