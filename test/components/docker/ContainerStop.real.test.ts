// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import { dockerClient } from "../../../components/core/docker";
import { faultCycleSuite } from "../../helpers/faultCycle";

const state = async (name: string) => (await dockerClient().getContainer(name).inspect()).State;

faultCycleSuite({
    title: "ContainerStop",
    tag: "stop",
    // busybox httpd as PID 1 ignores SIGTERM, so this also shows the SIGKILL after the grace period.
    fault: (t) => ({ kind: "docker:container-stop", target: { name: t.web }, graceSeconds: 1 }),
    snapshot: async (t) => ({ running: (await state(t.web)).Running, paused: (await state(t.web)).Paused }),
    inEffect: async (t) => !(await state(t.web)).Running,
    answersDuringFault: false,
    revertByHand: async (t) => dockerClient().getContainer(t.web).start(),
});
