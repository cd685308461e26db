import { z } from "zod";
import { chaosSpec, ChaosInContainers, describeSelector, GoDuration, defineChaosMeshFault } from "../chaosMesh";

const IoMethods = ["lookup", "forget", "getattr", "setattr", "readlink", "mknod", "mkdir", "unlink", "rmdir", "symlink", "rename", "link", "open", "read", "write", "flush", "release", "fsync", "opendir", "readdir", "releasedir", "fsyncdir", "statfs", "setxattr", "getxattr", "listxattr", "removexattr", "access", "create", "getlk", "setlk", "bmap"] as const;

/** Spec of a Chaos Mesh IOChaos: slow down or fail file-system calls on one volume of the selected pods. */
export const IoChaosSpec = chaosSpec(ChaosInContainers, {
    /** `latency`: calls are delayed by `delay`; `fault`: calls fail with `errno`. */
    action: z.enum(["latency", "fault"], { error: "must be latency or fault" }),
    /** Mount point of the volume inside the container, e.g. "/var/lib/data". */
    volumePath: z.string({ error: "required: the mount point of the volume to break" }).startsWith("/", "must be an absolute path"),
    /** Glob of the files affected under the volume; all files when left out. */
    path: z.string().min(1).optional(),
    /** For `latency`: the delay per call ("100ms"). */
    delay: GoDuration.optional(),
    /** For `fault`: the errno returned, e.g. 5 (EIO) or 28 (ENOSPC). */
    errno: z.number().int().positive().optional(),
    /** Share of calls affected, 1-100. Defaults to 100. */
    percent: z.number().int().min(1, "must be between 1 and 100").max(100, "must be between 1 and 100").optional(),
    /** File-system calls affected; all when left out. */
    methods: z.array(z.enum(IoMethods)).min(1).optional(),
}).superRefine((s, ctx) => {
    if (s.action === "latency" && s.delay === undefined) ctx.addIssue({ code: "custom", path: ["delay"], message: 'required when action is "latency"' });
    if (s.action === "fault" && s.errno === undefined) ctx.addIssue({ code: "custom", path: ["errno"], message: 'required when action is "fault" (e.g. 5 for EIO)' });
});
export type IoChaosSpec = z.infer<typeof IoChaosSpec>;

/**
 * Chaos Mesh IOChaos: file-system calls on `volumePath` in the selected pods are delayed or fail, for `duration`
 * (default: ttl).
 *
 * ```ts
 * new IoChaos("db-slow-disk", { selector: { namespace: "shop", labels: { app: "db" } }, action: "latency", volumePath: "/var/lib/postgresql", delay: "50ms", percent: 50, ttl: "5m" });
 * ```
 */
export const fault = defineChaosMeshFault({
    kind: "kubernetes:io-chaos",
    component: "IoChaos",
    chaosKind: "IOChaos",
    schema: IoChaosSpec,
    failureClass: "disk",
    up: "Chaos Mesh IOChaos: latency or errors on file operations in a volume of the selected pods",
    module: __filename,
    body: (s) => ({
        spec: {
            action: s.action,
            volumePath: s.volumePath,
            percent: s.percent ?? 100,
            ...(s.path !== undefined ? { path: s.path } : {}),
            ...(s.delay !== undefined ? { delay: s.delay } : {}),
            ...(s.errno !== undefined ? { errno: s.errno } : {}),
            ...(s.methods ? { methods: s.methods } : {}),
        },
        description: `IO ${s.action === "latency" ? `latency ${s.delay}` : `errno ${s.errno}`} on ${s.volumePath} (${s.percent ?? 100}% of calls) on ${describeSelector(s.selector)}`,
    }),
});
