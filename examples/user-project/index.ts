// A user's own Pulumi program with faultline's components (`npm install faultline`), with the same preview, TTL
// reapers, rollback and policy pack as a faultline stack:
//   pulumi preview --diff --policy-pack node_modules/faultline/dist/policies   # what will break, and is it allowed?
//   pulumi up --policy-pack node_modules/faultline/dist/policies               # inject
//   pulumi destroy                                                             # roll back
// Every fault has a time-to-live: a reaper next to the target reverts it then, even if everything else was killed.
// The containers must carry the opt-in label chaos.opt-in=true.
import { Experiment } from "faultline";

/**
 * The experiment: its hypothesis, probes and stop conditions are what the policy pack requires of every fault, and
 * what `faultline run checkout-latency` judges. Same fields as an experiments/*.yaml file.
 */
const checkout = new Experiment({
    name: "checkout-latency",
    owner: "payments-sre",
    description: "The checkout API keeps answering while its database is paused.",
    hypothesis: {
        text: "checkout answers within its SLO while the database is paused",
        probes: [{ name: "checkout-http", kind: "http", url: "http://127.0.0.1:8080/health" }],
    },
    stopConditions: [{ metric: "probe", probe: "checkout-http", samples: 20 }],
    blastRadius: { maxTargets: 2, description: "the checkout database and its cache" },
    timing: { warmup: "5s", duration: "30s", cooldown: "5s", ttl: "5m" },
    faults: [
        { name: "db-pause", kind: "docker:container-pause", target: { name: "checkout-db" } },
        { name: "cache-cpu", kind: "docker:cpu-stress", target: { name: "checkout-cache" }, workers: 1, load: 30 },
    ],
});

// The stack outputs of faultline's own program: the experiment's name and what each fault breaks.
export const { experiment, faults } = checkout.outputs;
