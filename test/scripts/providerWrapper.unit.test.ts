// The dynamic-provider wrapper (scripts/pulumi-language-nodejs/pulumi-resource-pulumi-nodejs) must do two things the
// engine relies on: stop as soon as its provider does when the engine shuts the plugin down, and end with its
// engine when the engine is SIGKILLed (plugins live in process groups of their own, so nothing else ends them).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../../runner/env";
import { waitFor } from "../helpers/wait";

const WRAPPER = path.join(PROJECT_ROOT, "scripts/pulumi-language-nodejs/pulumi-resource-pulumi-nodejs");

/** Every live process whose parent chain leads to `root`, `root` excluded. */
function descendants(root: number): number[] {
    const parents = new Map<number, number>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            // The ppid is the 2nd field after the parenthesised command, which may itself contain spaces.
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
        } catch {
            // The process ended between the listing and the read.
        }
    }
    const found: number[] = [];
    for (let frontier = [root]; frontier.length > 0; ) {
        const next = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
        found.push(...next);
        frontier = next;
    }
    return found;
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** Resolves with the first line the process prints: the provider's gRPC port, once it serves. */
function firstLine(child: ChildProcess): Promise<string> {
    return new Promise((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            if (out.includes("\n")) resolve(out.split("\n")[0]!);
        });
        child.on("exit", (code) => reject(new Error(`exited with ${code} before printing a port: ${out}`)));
    });
}

test("a plugin stop (SIGINT to its process group, as the engine sends) ends the wrapper with its provider", async () => {
    const wrapper = spawn(WRAPPER, ["127.0.0.1:1"], { cwd: PROJECT_ROOT, detached: true, stdio: ["ignore", "pipe", "inherit"] });
    const port = await firstLine(wrapper);
    assert.match(port, /^\d+$/);
    const provider = descendants(wrapper.pid!);
    assert.ok(provider.length > 0, "the provider runs as the wrapper's child");
    // The engine waits for the plugin's exit and for the end of its stdout; both must come with the provider's exit.
    const stdoutClosed = new Promise<void>((resolve) => wrapper.stdout!.on("close", () => resolve()));
    const exited = new Promise<number | null>((resolve) => wrapper.on("exit", (code) => resolve(code)));
    const stoppedAt = Date.now();
    process.kill(-wrapper.pid!, "SIGINT");
    await Promise.all([exited, stdoutClosed]);
    console.log(`wrapper and its stdout ended ${Date.now() - stoppedAt} ms after SIGINT`);
    await waitFor("the provider to exit", async () => provider.every((p) => !alive(p)), 5_000, 50);
});

test("a SIGKILLed engine takes the wrapper and its provider along", async () => {
    // A shell stands in for the engine: it starts the wrapper and waits, like `pulumi` does with its plugins.
    const engine = spawn("sh", ["-c", `"${WRAPPER}" 127.0.0.1:1 & wait`], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "inherit"] });
    await firstLine(engine);
    const plugin = descendants(engine.pid!);
    assert.ok(plugin.length >= 2, `the wrapper and its provider run under the engine (found ${plugin.length})`);
    engine.kill("SIGKILL");
    await waitFor("the wrapper and its provider to end with their engine", async () => plugin.every((p) => !alive(p)), 10_000, 100);
});
