// Preview-time target checks of the Docker kinds (each driver's `checkTargets`): every container, network and peer
// a spec names must exist and be in the state the fault needs, said in one line per field ("no such container",
// "no such network", "not attached"), before any preflight, plan or policy looks at the fault.
import { inspectContainer, inspectNetwork } from "../core/docker";
import { issuesOf, type SpecIssue } from "../core/errors";
import { selectContainers, type ContainerSelector } from "./selector";

/** The selector at `path` matches at least one running container (the selector's own "no such container" message). */
export function selectorTargets(sel: ContainerSelector, path = "spec.target"): Promise<SpecIssue[]> {
    return issuesOf(() => selectContainers(sel, path));
}

/** The container `ref` (name or ID) at `path` exists, and runs when `running` is asked for. */
export async function containerTargets(ref: string, path: string, opts: { running?: boolean } = {}): Promise<SpecIssue[]> {
    const c = await inspectContainer(ref);
    if (!c) return [{ path, message: `no such container "${ref}"; list containers with \`docker ps -a\`` }];
    const name = c.Name.replace(/^\//, "");
    if (opts.running && !c.State.Running) return [{ path, message: `container "${name}" is not running (${c.State.Status}); start it with \`docker start ${name}\`` }];
    return [];
}

/**
 * The container at `containerPath` exists, the network at `networkPath` exists, and the container is attached to
 * it (what a network partition cuts). Says which networks the container is on when it is not.
 */
export async function attachedTargets(container: string, network: string, containerPath: string, networkPath: string): Promise<SpecIssue[]> {
    const [c, n] = await Promise.all([inspectContainer(container), inspectNetwork(network)]);
    const issues: SpecIssue[] = [];
    if (!c) issues.push({ path: containerPath, message: `no such container "${container}"; list containers with \`docker ps -a\`` });
    if (!n) issues.push({ path: networkPath, message: `no such network "${network}"; list networks with \`docker network ls\`` });
    if (!c || !n) return issues;
    const attached = Object.entries(c.NetworkSettings.Networks ?? {});
    if (!attached.some(([, e]) => e.NetworkID === n.Id)) {
        const names = attached.map(([k]) => k).join(", ") || "none";
        issues.push({ path: containerPath, message: `container "${c.Name.replace(/^\//, "")}" is not attached to network "${n.Name}" (it is attached to: ${names}); pick one of those networks or attach it first` });
    }
    return issues;
}
