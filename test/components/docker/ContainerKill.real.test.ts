// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import { dockerClient } from "../../../components/core/docker";
import { faultCycleSuite } from "../../helpers/faultCycle";

const state = async (name: string) => (await dockerClient().getContainer(name).inspect()).State;

faultCycleSuite({
    title: "ContainerKill",
    tag: "kill",
    fault: (t) => ({ kind: "docker:container-kill", target: { name: t.web }, signal: "SIGKILL" }),
    // A restart policy that would bring the container back if the kill were not a manual stop: it must not.
    web: { hostConfig: { RestartPolicy: { Name: "unless-stopped" } } },
    snapshot: async (t) => ({ running: (await state(t.web)).Running, paused: (await state(t.web)).Paused }),
    inEffect: async (t) => !(await state(t.web)).Running,
    answersDuringFault: false,
    revertByHand: async (t) => dockerClient().getContainer(t.web).start(),
});
