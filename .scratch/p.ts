import { driver as pk } from "../components/docker/drivers/processKill";
import { inspectContainer } from "../components/core/docker";
const ctx = { owner: { project: "p", stack: "scratch", experiment: "e", fault: "f", kind: "k" }, warn: (m: string) => console.log("WARN", m), info: console.log };
const st = async () => JSON.stringify((await inspectContainer("ctf-s1"))!.State.Running);
(async () => {
  const r2 = await pk.inject(pk.schema.parse({ target: { name: "ctf-s1" }, process: "sleep", signal: "SIGTERM" }), ctx);
  console.log(JSON.stringify(r2.containers[0]!.processes), await st(), (await pk.observe(r2)).detail);
  const again = await pk.prepare!(pk.schema.parse({ target: { name: "ctf-s1" }, process: "sleep" }), ctx).catch(e => String(e));
  console.log("sleep after:", typeof again === "string" ? again : JSON.stringify(again.containers[0]!.processes));
  const r3 = await pk.inject(pk.schema.parse({ target: { name: "ctf-s1" }, process: "httpd" }), ctx);
  await new Promise(r => setTimeout(r, 500));
  console.log(JSON.stringify(r3.containers[0]!.processes), await st(), (await pk.observe(r3)).detail);
  console.log(await pk.revert(r3, ctx), await st(), await pk.revert(r3, ctx), (await pk.observe(r3)).detail);
})();
