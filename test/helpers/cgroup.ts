import { readFile } from "node:fs/promises";
import { dockerClient } from "../../components/core/docker";

/** A container's cgroup v1 directory under `controller` (cgroupfs driver: <CgroupParent or /docker>/<id>). */
async function cgroupDir(controller: string, container: string): Promise<string> {
    const info = await dockerClient().getContainer(container).inspect();
    const parent = (info.HostConfig.CgroupParent || "/docker").replace(/\/+$/, "");
    return `/sys/fs/cgroup/${controller}${parent}/${info.Id}`;
}

/** CPU time used by a container's cgroup and everything nested in it, in nanoseconds (what `docker stats` reads). */
export async function cpuUsageNs(container: string): Promise<number> {
    return Number((await readFile(`${await cgroupDir("cpuacct", container)}/cpuacct.usage`, "utf8")).trim());
}

/** Share of one core a container's cgroup used over `windowMs` (1 = one core busy all the time). */
export async function cpuShare(container: string, windowMs = 1000): Promise<number> {
    const a = await cpuUsageNs(container);
    await new Promise((r) => setTimeout(r, windowMs));
    return ((await cpuUsageNs(container)) - a) / (windowMs * 1e6);
}

/** Memory charged to a container's cgroup and everything nested in it, in bytes. */
export async function memoryUsage(container: string): Promise<number> {
    return Number((await readFile(`${await cgroupDir("memory", container)}/memory.usage_in_bytes`, "utf8")).trim());
}
