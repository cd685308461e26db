import { z } from "zod";
import type { ExecResult } from "../../core/docker";
import type { FaultDriver } from "../../core/driver";
import { FaultError, type SpecIssue } from "../../core/errors";
import { Labels, ownerLabels, type FaultOwner } from "../../core/labels";
import { runHelper } from "../helper";
import { injectAll, observeAll, revertAll, selectTargets } from "../netns";
import { checkRootQdiscs, FAULT_HANDLE, faultHandle, InterfaceName, installRootQdisc, type QdiscTarget, isFaultQdisc, removeRootQdisc, showRootQdisc } from "../qdisc";
import { ContainerSelector, selectContainers } from "../selector";
import { defineFault } from "../../core/defineFault";
import { selectorTargets } from "../targets";

const TcTime = z.string().regex(/^\d+(\.\d+)?(s|ms|us)$/, 'must be a time in tc units, e.g. "100ms", "1s" or "500us"');

/** Spec of packet loss and delay with tc netem on what the targets send out of one interface. */
export const NetemSpec = z
    .object({
        /** The containers whose interface gets netem (selector and blast radius). */
        target: ContainerSelector,
        /** The interface inside the container. Defaults to `eth0`. */
        interface: InterfaceName,
        /** Delay added to every packet sent, e.g. `100ms`. */
        delay: TcTime.optional(),
        /** Random variation of the delay, e.g. `20ms` (needs `delay`). */
        jitter: TcTime.optional(),
        /** Percentage of packets sent that are dropped, more than 0 and at most 100, e.g. `5` or `0.5`. */
        loss: z.number().gt(0, "must be more than 0 (a percentage)").max(100, "must be at most 100 (a percentage)").optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
        if (s.delay === undefined && s.loss === undefined) {
            ctx.addIssue({ code: "custom", message: "give delay, loss or both: netem with neither changes nothing" });
        }
        if (s.jitter !== undefined && s.delay === undefined) {
            ctx.addIssue({ code: "custom", path: ["jitter"], message: "jitter varies the delay: give delay too" });
        }
    });
export type NetemSpec = z.infer<typeof NetemSpec>;

/** Everything revert needs. */
export interface NetemRecord {
    targets: QdiscTarget[];
    interface: string;
    /** The qdisc installed, as tc arguments after `handle <handle>`. */
    qdisc: string[];
    /** The root qdisc's handle, chosen from the owner (faultHandle); absent in older records, which used `fa17:`. */
    handle?: string;
    owner: FaultOwner;
}

/** What preview says on a kernel without netem. */
export const NETEM_MISSING =
    "this kernel has no netem (sch_netem), so packet loss and delay cannot be injected here; use ToxiproxyToxic latency/timeout instead";

/**
 * Reads the outcome of `tc qdisc add dev lo root netem delay 1ms`. tc says "Specified qdisc kind is unknown" when
 * the kernel has no sch_netem, and older iproute2 versions fail to load the q_netem module ("No such file").
 */
export function netemSupport(r: ExecResult): "available" | "missing" | "unknown" {
    if (r.exitCode === 0) return "available";
    return /Specified qdisc kind is unknown|No such file or directory/.test(r.stderr) ? "missing" : "unknown";
}

/** The tc arguments of netem for a spec. */
export function netemArgs(spec: Pick<NetemSpec, "delay" | "jitter" | "loss">): string[] {
    return [
        "netem",
        ...(spec.delay ? ["delay", spec.delay, ...(spec.jitter ? [spec.jitter] : [])] : []),
        ...(spec.loss !== undefined ? ["loss", `${spec.loss}%`] : []),
    ];
}

let probe: Promise<SpecIssue[]> | undefined;

/**
 * Tries netem once per process in a throwaway helper with a network namespace of its own (only its loopback),
 * so the check touches no target. The kernel does not change under a running process; the answer is kept.
 */
function netemIssues(): Promise<SpecIssue[]> {
    probe ??= (async () => {
        const r = await runHelper({
            cmd: ["tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"],
            labels: { [Labels.managed]: "true", [Labels.kind]: "docker:netem" },
            networkMode: "none",
            capAdd: ["NET_ADMIN"],
        });
        switch (netemSupport(r)) {
            case "available":
                return [];
            case "missing":
                return [{ path: "spec", message: NETEM_MISSING }];
            case "unknown":
                return [{ path: "spec", message: `could not check for netem: tc failed (exit ${r.exitCode}): ${r.stderr.trim()}` }];
        }
    })();
    // A failure to check (no engine) is not an answer about the kernel: try again next time.
    probe.catch(() => (probe = undefined));
    return probe;
}

export const driver: FaultDriver<NetemSpec, NetemRecord, z.input<typeof NetemSpec>> = {
    kind: "docker:netem",
    target: "docker",
    schema: NetemSpec,

    describe: (spec) => `add ${netemArgs(spec).slice(1).join(" ")} to what the selected containers send on ${spec.interface} (tc netem)`,

    preflight: () => netemIssues(),

    checkTargets: (spec) => selectorTargets(spec.target),

    async plan(spec) {
        return (await selectContainers(spec.target, "spec.target")).map((c) => ({ name: c.name, labels: c.labels }));
    },

    async prepare(spec, ctx) {
        const targets = await selectTargets(spec.target, "spec.target");
        const befores = await checkRootQdiscs(targets, spec.interface, ownerLabels(ctx.owner));
        return {
            targets: targets.map((t, i) => ({ ...t, before: befores[i]! })),
            interface: spec.interface,
            qdisc: netemArgs(spec),
            handle: faultHandle(ctx.owner),
            owner: ctx.owner,
        };
    },

    async apply(record) {
        const labels = ownerLabels(record.owner);
        const handle = record.handle ?? FAULT_HANDLE;
        await injectAll(
            record.targets,
            (t) =>
                installRootQdisc(t, record.interface, record.qdisc, handle, labels).catch((err: unknown) => {
                    if (/Specified qdisc kind is unknown/.test(String(err))) throw new FaultError("spec", NETEM_MISSING);
                    throw err;
                }),
            (t) => removeRootQdisc(t, record.interface, "netem", handle, labels),
        );
    },

    async revert(record, ctx) {
        const labels = ownerLabels(record.owner);
        return revertAll(record.targets, async (t) => (await removeRootQdisc(t, record.interface, "netem", record.handle ?? FAULT_HANDLE, labels)).removed, ctx);
    },

    async observe(record) {
        const labels = ownerLabels(record.owner);
        return observeAll(
            record.targets,
            async (t) => isFaultQdisc(await showRootQdisc(t, record.interface, labels), "netem", record.handle ?? FAULT_HANDLE),
            `netem on ${record.interface}`,
        );
    },
};

/**
 * Packet loss and delay with `tc qdisc ... netem` on what the targets send out of one interface.
 *
 * It needs the kernel's sch_netem. Preview checks for it (in a throwaway helper container with a network namespace
 * of its own) and fails with a clear message where it is missing, as on kernels built without it; use a
 * ToxiproxyToxic (latency, timeout) there instead. Where netem exists, `pulumi up` installs it as the interface's
 * root qdisc with the fault's own handle and `pulumi destroy` removes it; after `ttl`, a reaper removes it.
 *
 * ```ts
 * new Netem("lossy-api", { target: { name: "api" }, delay: "100ms", jitter: "20ms", loss: 5, ttl: "5m" });
 * ```
 */
export const fault = defineFault({
    failureClass: "slow-dependency",
    component: "Netem",
    up: "loss/delay with tc netem where the kernel has it; **fails at preview** where it does not (as here)",
    revert: "removes the qdisc",
    docs: "[network](docs/network-faults.md)",
    module: __filename,
    driver,
});
