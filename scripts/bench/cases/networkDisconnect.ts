import { canFetch, createNetwork, endpointOf, runContainer } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    net: string;
    web: string;
    client: string;
    ip: string;
}

/** A web server cut off its network; the probe is its client fetching it by alias. */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:network-disconnect",
    async setup(run) {
        const net = `flt-bench-nd-${run.id}`;
        const web = `flt-bench-nd-web-${run.id}`;
        const client = `flt-bench-nd-client-${run.id}`;
        await createNetwork(net, run.id);
        await runContainer({ name: web, run: run.id, network: net, aliases: ["web"], cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"], labels: run.labels });
        await runContainer({ name: client, run: run.id, network: net, cmd: ["sleep", "3600"], labels: run.labels });
        const ep = await endpointOf(web, net);
        return { net, web, client, ip: ep!.ip };
    },
    spec: (c) => ({ container: c.web, network: c.net }),
    // The probe starts only once the engine reports the container off the network: a fetch begun before the
    // disconnect would hang on its half-open connection until its 2 s timeout, so the row's median flipped between
    // milliseconds and seconds from run to run. Started after it, the fetch fails at once (the alias is gone).
    observed: async (c) => (await endpointOf(c.web, c.net)) === undefined && !(await canFetch(c.client, "http://web:8080/", 2)),
    healthy: (c) => canFetch(c.client, "http://web:8080/", 2),
    rawInject: (c) => [["docker", "network", "disconnect", c.net, c.web]],
    rawRevert: (c) => [["docker", "network", "connect", "--alias", "web", "--ip", c.ip, c.net, c.web]],
};
