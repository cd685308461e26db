import { toolsImage } from "../../../components/docker/helper";
import { createNetwork, runContainer, statusLine } from "../../../test/helpers/docker";
import type { BenchCase } from "../case";

interface Ctx {
    net: string;
    web: string;
    client: string;
    raw: string;
}

/** The proxy port of the raw run; another than the fault's own (47474), so the two can never be confused. */
const RAW_PORT = 47_475;

/** The status line the client gets from the web server ("" when no answer came). */
const status = (c: Ctx) => statusLine(c.client, "http://web:8080/");

/** A web server whose every answer becomes a 503; the probe is its client's status line. */
export const benchCase: BenchCase<Ctx> = {
    kind: "docker:http-fault",
    async setup(run) {
        const net = `flt-bench-http-${run.id}`;
        const web = `flt-bench-http-web-${run.id}`;
        const client = `flt-bench-http-client-${run.id}`;
        await createNetwork(net, run.id);
        await runContainer({ name: web, run: run.id, network: net, aliases: ["web"], cmd: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"], labels: run.labels });
        await runContainer({ name: client, run: run.id, network: net, cmd: ["sleep", "3600"], labels: run.labels });
        return { net, web, client, raw: `flt-bench-http-raw-${run.id}` };
    },
    spec: (c) => ({ target: { name: c.web }, port: 8080, routes: [{ path: "/", status: 503 }] }),
    observed: async (c) => / 503 /.test(await status(c)),
    healthy: async (c) => / 200 /.test(await status(c)),
    // By hand: a node server answering 503 in the target's network namespace, and the port redirected to it.
    rawInject: (c) => [
        ["docker", "run", "-d", "--name", c.raw, "--network", `container:${c.web}`, toolsImage(), "node", "-e",
            `require("http").createServer((q, s) => { s.statusCode = 503; s.end(); }).listen(${RAW_PORT})`],
        ["docker", "run", "--rm", "--network", `container:${c.web}`, "--cap-add", "NET_ADMIN", toolsImage(),
            "iptables", "-t", "nat", "-I", "PREROUTING", "1", "-p", "tcp", "--dport", "8080", "-j", "REDIRECT", "--to-ports", String(RAW_PORT)],
    ],
    rawRevert: (c) => [
        ["docker", "run", "--rm", "--network", `container:${c.web}`, "--cap-add", "NET_ADMIN", toolsImage(),
            "iptables", "-t", "nat", "-D", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "REDIRECT", "--to-ports", String(RAW_PORT)],
        ["docker", "rm", "-f", c.raw],
    ],
};
