import { driver as rl } from "../components/docker/drivers/resourceLimits";
import { driver as pk } from "../components/docker/drivers/processKill";
import { inspectContainer } from "../components/core/docker";
const ctx = { owner: { project: "p", stack: "scratch", experiment: "e", fault: "f", kind: "k" }, warn: (m: string) => console.log("WARN", m), info: console.log };
const show = async (n: string) => { const h: any = (await inspectContainer(n))!.HostConfig; const s = (await inspectContainer(n))!.State; return JSON.stringify({ q: h.CpuQuota, p: h.CpuPeriod, n: h.NanoCpus, cs: h.CpusetCpus, m: h.Memory, s: h.MemorySwap, run: s.Running }); };
(async () => {
  for (const name of ["ctf-s1", "ctf-s2"]) {
    console.log(name, "before", await show(name));
    const spec = rl.schema.parse({ target: { name }, cpus: 0.5, memory: "16m", cpusetCpus: "0" });
    const rec = await rl.inject(spec, ctx);
    console.log(JSON.stringify(rec.containers[0]!.restore), "\n during", await show(name), (await rl.observe(rec)).detail);
    console.log(await rl.revert(rec, ctx), await show(name), (await rl.observe(rec)).detail);
    console.log(await rl.revert(rec, ctx));
  }
  const r2 = await pk.inject(pk.schema.parse({ target: { name: "ctf-s1" }, process: "sleep" }), ctx);
  console.log(JSON.stringify(r2.containers[0]!.processes), await show("ctf-s1"), (await pk.observe(r2)).detail);
  const r3 = await pk.inject(pk.schema.parse({ target: { name: "ctf-s1" }, process: "httpd" }), ctx);
  await new Promise(r => setTimeout(r, 500));
  console.log(JSON.stringify(r3.containers[0]!.processes), await show("ctf-s1"), (await pk.observe(r3)).detail);
  console.log(await pk.revert(r3, ctx), await show("ctf-s1"), await pk.revert(r3, ctx));
  try { await pk.inject(pk.schema.parse({ target: { name: "ctf-s1" }, process: "nope" }), ctx); } catch (e) { console.log(String(e)); }
})();
