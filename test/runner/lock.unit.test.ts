// The runner's stack lock (proper-lockfile underneath): one holder at a time, taken over at once from a run killed
// with SIGKILL, and a lock of another host held while its holder keeps refreshing it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { StackLockedError } from "../../runner/errors";
import { acquireLock, lockFile, lockHolder, processAlive, removeDeadLocks } from "../../runner/lock";

const stack = (what: string) => `test-lock-${what}-${process.pid}`;

describe("runner lock", () => {
    it("a second taker is refused naming the holder; after release the lock is free and leaves no file", () => {
        const s = stack("two");
        const release = acquireLock(s, "faultline run");
        try {
            assert.throws(() => acquireLock(s, "faultline rollback"), (err: unknown) => err instanceof StackLockedError && err.holder.pid === process.pid && err.holder.command === "faultline run");
            assert.equal(lockHolder(s)?.pid, process.pid);
        } finally {
            release();
        }
        assert.equal(lockHolder(s), undefined);
        assert.equal(fs.existsSync(lockFile(s)), false);
        assert.equal(fs.existsSync(`${lockFile(s)}.lock`), false);
    });

    it("the lock of a run killed with SIGKILL is taken over at once", async () => {
        const s = stack("killed");
        const child = spawn(process.execPath, ["--import", "tsx", "-e", `require("./runner/lock").acquireLock(${JSON.stringify(s)}, "faultline run"); console.log("held"); setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
        await new Promise<void>((resolve, reject) => {
            child.stdout.on("data", (d: Buffer) => d.toString().includes("held") && resolve());
            child.on("exit", (code) => reject(new Error(`the holder exited early (${code})`)));
        });
        assert.equal(lockHolder(s)?.pid, child.pid);
        child.kill("SIGKILL");
        await new Promise((r) => child.once("exit", r));
        assert.equal(lockHolder(s), undefined, "a dead holder does not hold");
        const release = acquireLock(s, "faultline recover");
        assert.equal(lockHolder(s)?.command, "faultline recover");
        release();
    });

    it("a zombie holds nothing: a killed run's process that no parent has reaped yet is dead", async () => {
        // `sh` starts a short child, then becomes a long `sleep` that never waits for it: the child, once it ends, stays a
        // zombie (it outlives the shell, so the shell cannot reap it first).
        const parent = spawn("sh", ["-c", "sleep 0.3 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "inherit"] });
        try {
            const pid = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()))));
            const state = async () => /\) (\S)/.exec(fs.readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1];
            for (let i = 0; i < 100 && (await state()) !== "Z"; i++) await new Promise((r) => setTimeout(r, 20));
            assert.equal(await state(), "Z", "the child is a zombie");
            assert.equal(processAlive(pid), false);
            assert.equal(processAlive(parent.pid!), true, "its parent, alive, is alive");
        } finally {
            parent.kill("SIGKILL");
        }
    });

    it("a lock of another host holds while refreshed; removeDeadLocks keeps it", () => {
        const s = stack("host");
        const file = lockFile(s);
        fs.writeFileSync(file, JSON.stringify({ pid: 1, host: "elsewhere", command: "faultline run", startedAt: new Date().toISOString() }));
        fs.mkdirSync(`${file}.lock`);
        try {
            assert.equal(lockHolder(s)?.host, "elsewhere");
            assert.throws(() => acquireLock(s, "faultline run"), StackLockedError);
            assert.deepEqual(removeDeadLocks(s), []);
            // Its holder stopped refreshing it 11 s ago (proper-lockfile's stale time is 10 s): it is free.
            const past = new Date(Date.now() - 11_000);
            fs.utimesSync(`${file}.lock`, past, past);
            assert.equal(lockHolder(s), undefined);
            acquireLock(s, "faultline run")();
        } finally {
            fs.rmSync(file, { force: true });
            fs.rmSync(`${file}.lock`, { recursive: true, force: true });
        }
    });

    it("a live holder's record alone (a faultline of an earlier version, no directory lock) still holds the stack", () => {
        const s = stack("record");
        const file = lockFile(s);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // The holder: a live process other than this one (this test's parent).
        fs.writeFileSync(file, JSON.stringify({ pid: process.ppid, host: os.hostname(), command: "faultline run", startedAt: new Date().toISOString() }));
        try {
            assert.throws(() => acquireLock(s, "faultline recover"), (err: unknown) => err instanceof StackLockedError && err.holder.command === "faultline run");
            assert.equal(fs.existsSync(`${file}.lock`), false, "the directory lock it took is given back");
        } finally {
            fs.rmSync(file, { force: true });
        }
    });
});
