// Real-engine test: the fault cycle of docker:toxiproxy-toxic, through the real Pulumi CLI and a real Toxiproxy.
// The suite's web target is a Toxiproxy whose proxy "web" (port 8080) fronts a busybox httpd in the same container,
// so the client's probe of http://web:8080/ goes through the toxic. ToxiproxyToxic.real.test.ts covers every toxic
// type at once; this file covers the cycle every kind shares (destroy, refresh, TTL, SIGKILL).
import { execInContainer } from "../../../components/core/docker";
import { faultCycleSuite, type CycleTargets } from "../../helpers/faultCycle";
import { TOXIPROXY_CYCLE_WEB } from "../../helpers/toxiproxy";
import { waitFor } from "../../helpers/wait";


/** The toxics of proxy "web", from Toxiproxy's API inside its container (busybox wget). */
async function toxics(t: CycleTargets): Promise<string[]> {
    const r = await execInContainer(t.web, ["wget", "-q", "-O", "-", "http://127.0.0.1:8474/proxies/web/toxics"]);
    if (r.exitCode !== 0) throw new Error(`Toxiproxy API: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { name: string }[]).map((x) => x.name);
}

faultCycleSuite({
    title: "ToxiproxyToxic",
    tag: "toxic",
    web: TOXIPROXY_CYCLE_WEB,
    // Data stops and the connection is held until the fault ends: the probe gets no answer.
    fault: (t) => ({ kind: "docker:toxiproxy-toxic", toxiproxy: { container: t.web }, proxy: "web", type: "timeout", timeout: "0s" }),
    snapshot: toxics,
    inEffect: async (t) => (await toxics(t)).includes(`faultline.${t.stack}.fault`),
    answersDuringFault: false,
    revertByHand: async (t) => {
        // busybox wget cannot DELETE; nc sends the request by hand. Toxiproxy's API answers 503 when a call takes
        // over 25 s (its TimeoutHandler), which a loaded machine can reach while the toxic lets go of its
        // connections: the removal still completes, and a later DELETE finds the toxic gone (404).
        const req = `DELETE /proxies/web/toxics/faultline.${t.stack}.fault HTTP/1.0\r\n\r\n`;
        await waitFor("the toxic deleted by hand", async () => {
            const r = await execInContainer(t.web, ["sh", "-c", `printf '${req.replace(/\r\n/g, "\\r\\n")}' | nc 127.0.0.1 8474`]);
            if (/^HTTP\/1\.[01] 503/.test(r.stdout)) return false;
            if (!/^HTTP\/1\.[01] (204|404)/.test(r.stdout)) throw new Error(`deleting the toxic: ${r.stdout} ${r.stderr}`);
            return true;
        }, 90_000);
    },
});
