// The program inside a Docker reaper container. It is bundled (esbuild) together with every driver, copied into
// the container, and run by Node.js there. It waits until the fault's deadline, reverts the fault with the same
// driver `pulumi destroy` uses, and removes its own container. If the revert throws, it exits non-zero and
// Docker's restart policy runs it again; on every start it recomputes the wait from the absolute deadline, so a
// restarted engine or host does not reset the clock.
import * as os from "node:os";
import { dockerClient } from "../core/docker";
import type { DriverContext } from "../core/driver";
import { driverFor } from "../registry";

async function main(): Promise<void> {
    const kind = process.env.FAULTLINE_KIND ?? "";
    const record = JSON.parse(process.env.FAULTLINE_RECORD ?? "null") as unknown;
    const owner = JSON.parse(process.env.FAULTLINE_OWNER ?? "{}") as DriverContext["owner"];
    const expiresAt = Number(process.env.FAULTLINE_EXPIRES_AT);
    const driver = driverFor(kind);

    const waitMs = Math.max(0, expiresAt - Date.now());
    console.log(`${new Date().toISOString()} armed: ${kind} "${owner.fault}" of stack ${owner.stack}; reverting in ${waitMs} ms`);
    await new Promise((r) => setTimeout(r, waitMs));

    const ctx: DriverContext = {
        owner,
        warn: (m) => console.log(`warning: ${m}`),
        info: (m) => console.log(m),
    };
    const outcome = await driver.revert(record, ctx);
    console.log(`${new Date().toISOString()} time-to-live reached: ${outcome}`);
    // The reaper removes itself, leaving nothing behind. Never by hostname alone: a reaper that joined another
    // container's network namespace (a Toxiproxy's) also has that container's hostname.
    await dockerClient().getContainer(process.env.FAULTLINE_REAPER_NAME ?? os.hostname()).remove({ force: true });
}

main().catch((err: unknown) => {
    console.error(`${new Date().toISOString()} revert failed, Docker will restart this reaper to retry:`, err);
    process.exit(1);
});
