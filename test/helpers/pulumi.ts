import { dockerClient } from "../../components/core/docker";
import { STANDBY_KIND } from "../../components/core/labels";
import { armedFaults } from "../../components/docker/reaper";

/** Polls `check` every `everyMs` until it is true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 250): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await check()) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

/** The faults named `fault` armed in a stack's reapers, running or not. */
export async function reapersOf(stack: string, fault: string) {
    return (await armedFaults({ stack })).filter((a) => a.kind !== STANDBY_KIND && a.owner.fault === fault);
}

/** Helper containers of a stack's fault, running or not. */
export async function helpersOf(stack: string, fault: string) {
    const filters = JSON.stringify({
        label: ["dev.faultline.role=helper", `dev.faultline.stack=${stack}`, `dev.faultline.fault=${fault}`],
    });
    return dockerClient().listContainers({ all: true, filters });
}
