// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
// Route "/" answers 503 to every request through the fault's proxy; /www/slow is delayed instead.
import assert from "node:assert/strict";
import { it } from "node:test";
import { dockerClient, execInContainer } from "../../../components/core/docker";
import { deleteRules, ruleComment } from "../../../components/docker/netfilter";
import { statusLine } from "../../helpers/docker";
import { faultCycleSuite, type CycleTargets } from "../../helpers/faultCycle";

/** The client's view of `path` on the target: the status line of the answer, "" when none came. */
const statusOf = (t: CycleTargets, path = "/") => statusLine(t.client, `http://web:8080${path}`, 5);

faultCycleSuite({
    title: "HttpFault",
    tag: "http",
    prepare: async (t) => void (await execInContainer(t.web, ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && echo slow > /www/slow"])),
    fault: (t) => ({
        kind: "docker:http-fault",
        target: { name: t.web },
        port: 8080,
        routes: [
            { path: "/slow", delay: "1500ms" },
            { path: "/", status: 503 },
        ],
    }),
    // The redirect lives in the target's netns and the proxy is a helper: the answer is what shows the fault.
    snapshot: (t) => statusOf(t),
    inEffect: async (t) => / 503 /.test(await statusOf(t)),
    answersDuringFault: false,
    helpers: 1,
    checkUp: async (t) => {
        const start = Date.now();
        assert.match(await statusOf(t, "/slow"), / 200 /, "a delayed route still answers from the target");
        assert.ok(Date.now() - start >= 1400, `/slow answered after ${Date.now() - start} ms, expected ≥ 1500 ms`);
    },
    // As an operator would: delete the redirect (found by its comment), then the proxy container.
    revertByHand: async (t) => {
        const id = (await dockerClient().getContainer(t.web).inspect()).Id;
        assert.equal(await deleteRules({ id, name: t.web }, ruleComment({ stack: t.stack, fault: "fault" }), {}), 1);
        const filters = JSON.stringify({ label: [`dev.faultline.stack=${t.stack}`, "dev.faultline.role=helper"] });
        for (const h of await dockerClient().listContainers({ all: true, filters })) await dockerClient().getContainer(h.Id).remove({ force: true });
    },
    extraTests: ({ t }) => {
        it("the target answers 200 again, untouched, after the cycle", async () => assert.match(await statusOf(t), / 200 /));
    },
});
