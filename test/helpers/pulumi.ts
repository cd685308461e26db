import { dockerClient } from "../../components/core/docker";
import { STANDBY_KIND } from "../../components/core/labels";
import { armedFaults } from "../../components/docker/reaper";

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
