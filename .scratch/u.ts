import Docker from "dockerode";
import * as fs from "node:fs";
const d = new Docker();
const name = process.argv[2]!;
const updates = JSON.parse(process.argv[3]!) as object[];
function cg(id: string) {
  const r = (p: string) => { try { return fs.readFileSync(p, "utf8").trim(); } catch (e) { return "?"; } };
  return [r(`/sys/fs/cgroup/cpu/docker/${id}/cpu.cfs_quota_us`), r(`/sys/fs/cgroup/cpu/docker/${id}/cpu.cfs_period_us`), r(`/sys/fs/cgroup/memory/docker/${id}/memory.limit_in_bytes`), r(`/sys/fs/cgroup/memory/docker/${id}/memory.memsw.limit_in_bytes`), r(`/sys/fs/cgroup/cpuset/docker/${id}/cpuset.cpus`)].join(" ");
}
(async () => {
  const c = d.getContainer(name);
  const show = async () => { const i = await c.inspect(); const h: any = i.HostConfig; console.log(JSON.stringify({q:h.CpuQuota,p:h.CpuPeriod,n:h.NanoCpus,cs:h.CpusetCpus,m:h.Memory,s:h.MemorySwap}), "cg:", cg(i.Id)); };
  await show();
  for (const u of updates) { try { await c.update(u); console.log("update", JSON.stringify(u)); } catch (e: any) { console.log("ERR", JSON.stringify(u), e.json?.message ?? String(e)); } await show(); }
})();
