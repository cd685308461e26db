// Real-engine test: the real Pulumi CLI (Automation API, local file backend) and a real Docker engine.
import { dockerClient } from "../../../components/core/docker";
import { faultCycleSuite } from "../../helpers/faultCycle";

const state = async (name: string) => (await dockerClient().getContainer(name).inspect()).State;

faultCycleSuite({
    title: "ContainerPause",
    tag: "pause",
    fault: (t) => ({ kind: "docker:container-pause", target: { name: t.web } }),
    snapshot: async (t) => ({ paused: (await state(t.web)).Paused, startedAt: (await state(t.web)).StartedAt }),
    inEffect: async (t) => (await state(t.web)).Paused,
    answersDuringFault: false,
    revertByHand: async (t) => dockerClient().getContainer(t.web).unpause(),
});
