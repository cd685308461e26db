// Real-engine test: the fault cycle of docker:dependency-down, through the real Pulumi CLI and a real Toxiproxy.
// The suite's web target is a Toxiproxy whose proxy "web" (port 8080) fronts a busybox httpd in the same container,
// so the client's probe of http://web:8080/ goes through the proxy the fault disables. ToxiproxyToxic.real.test.ts
// covers this kind beside every toxic type (by container and by URL); this file covers the cycle every kind shares
// (destroy, refresh, TTL, SIGKILL).
import { execInContainer } from "../../../components/core/docker";
import { faultCycleSuite, type CycleTargets } from "../../helpers/faultCycle";
import { TOXIPROXY_CYCLE_WEB } from "../../helpers/toxiproxy";
import { waitFor } from "../../helpers/wait";


/** Proxy "web" as Toxiproxy's API inside its container shows it (busybox wget): enabled, and its toxics. */
async function proxy(t: CycleTargets): Promise<{ enabled: boolean; toxics: string[] }> {
    const r = await execInContainer(t.web, ["wget", "-q", "-O", "-", "http://127.0.0.1:8474/proxies/web"]);
    if (r.exitCode !== 0) throw new Error(`Toxiproxy API: ${r.stderr}`);
    const p = JSON.parse(r.stdout) as { enabled: boolean; toxics: { name: string }[] };
    return { enabled: p.enabled, toxics: p.toxics.map((x) => x.name) };
}

faultCycleSuite({
    title: "DependencyDown",
    tag: "down",
    web: TOXIPROXY_CYCLE_WEB,
    fault: (t) => ({ kind: "docker:dependency-down", toxiproxy: { container: t.web }, proxy: "web" }),
    snapshot: proxy,
    inEffect: async (t) => !(await proxy(t)).enabled,
    // A disabled proxy refuses every connection: the probe fails at once.
    answersDuringFault: false,
    revertByHand: async (t) => {
        // busybox wget cannot PATCH; nc sends the request by hand, as an operator's `toxiproxy-cli toggle` would.
        const body = '{"enabled":true}';
        const req = `PATCH /proxies/web HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
        await waitFor("the proxy enabled by hand", async () => {
            const r = await execInContainer(t.web, ["sh", "-c", `printf '${req.replace(/\r\n/g, "\\r\\n")}' | nc 127.0.0.1 8474`]);
            if (/^HTTP\/1\.[01] 503/.test(r.stdout)) return false;
            if (!/^HTTP\/1\.[01] 200/.test(r.stdout)) throw new Error(`enabling the proxy: ${r.stdout} ${r.stderr}`);
            return true;
        }, 30_000);
    },
});
