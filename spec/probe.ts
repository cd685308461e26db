import { z } from "zod";
import { ByteSize, Duration, RegexString, slugName } from "./fields";

/** A probe's name: it labels the probe's samples in the timeline and reports. */
export const ProbeName = slugName("probe", "api-health");

/** Per-probe timeout: a sample that takes longer counts as failed. Defaults to 1s; at most 30s. */
const Timeout = Duration.refine((ms) => ms <= 30_000, "a probe timeout must be at most 30s; probes are sampled many times a second");

/** Fields every probe kind has. */
const ProbeBase = {
    /** Unique among the experiment's probes. Optional inside a fault's `expect`, where it defaults to `<fault>-expect-<n>`. */
    name: ProbeName.optional(),
    /** A sample slower than this fails. Defaults to "1s". */
    timeout: Timeout.default(1000),
};

const ContainerRef = z
    .string({ error: "required: the name or ID of a container (see `docker ps`)" })
    .min(1, "must not be empty: give the name or ID of a container");

/**
 * HTTP: a request whose status, latency and body are checked. A sample passes when the status is one of `status`
 * (default: any 2xx or 3xx), the response arrives within `maxLatency` (if set) and the body matches (if set).
 */
export const HttpProbeSpec = z
    .object({
        kind: z.literal("http"),
        ...ProbeBase,
        /** http:// or https:// URL. Ports of containers are reached where they are published (e.g. 127.0.0.1:8080). */
        url: z
            .string({ error: "required: the URL to request, e.g. http://127.0.0.1:8080/health" })
            .refine((u) => {
                try {
                    return ["http:", "https:"].includes(new URL(u).protocol);
                } catch {
                    return false;
                }
            }, "must be an http:// or https:// URL, e.g. http://127.0.0.1:8080/health"),
        /** HTTP method. Defaults to GET. */
        method: z.enum(["GET", "HEAD", "POST", "PUT", "DELETE"], { error: "must be one of GET, HEAD, POST, PUT, DELETE" }).default("GET"),
        /** Request body for POST/PUT. */
        body: z.string().optional(),
        /** Request headers. */
        headers: z.record(z.string(), z.string()).optional(),
        /** Acceptable status codes. Defaults to any 2xx or 3xx. */
        status: z
            .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)], {
                error: "must be an HTTP status code (100-599) or a list of them, e.g. [200, 204]",
            })
            .transform((s) => (Array.isArray(s) ? s : [s]))
            .optional(),
        /** A sample slower than this fails even if it succeeded. */
        maxLatency: Duration.optional(),
        /** The response body must contain this text. */
        bodyContains: z.string().min(1, "must not be empty").optional(),
        /** The response body must match this regular expression. */
        bodyMatches: RegexString.optional(),
    })
    .strict();

/** TCP: a connection to host:port must be accepted within the timeout. */
export const TcpProbeSpec = z
    .object({
        kind: z.literal("tcp"),
        ...ProbeBase,
        /** Host to connect to. Defaults to 127.0.0.1. */
        host: z.string().min(1, "must not be empty").default("127.0.0.1"),
        /** TCP port. */
        port: z
            .number({ error: "required: the TCP port to connect to (1-65535)" })
            .int("must be a whole number")
            .min(1, "a port is between 1 and 65535")
            .max(65535, "a port is between 1 and 65535"),
    })
    .strict();

/**
 * Command: a program (argv, no shell) run on this machine, or inside `container` like `docker exec`. A sample
 * passes when it exits with `exitCode` (default 0) and its output matches `outputMatches` (if set). The first
 * number in its output is recorded as the sample's value.
 */
export const CommandProbeSpec = z
    .object({
        kind: z.literal("command"),
        ...ProbeBase,
        /** The program and its arguments, e.g. ["pg_isready", "-h", "127.0.0.1"]. No shell is involved. */
        command: z
            .array(z.string(), { error: 'required: the program and its arguments as a list, e.g. ["pg_isready", "-q"]' })
            .min(1, 'give at least the program, e.g. ["pg_isready", "-q"]'),
        /** Run it inside this container instead of on this machine. */
        container: ContainerRef.optional(),
        /** Expected exit code. Defaults to 0. */
        exitCode: z.number().int("must be a whole number").default(0),
        /** stdout must match this regular expression. */
        outputMatches: RegexString.optional(),
    })
    .strict();

/**
 * Container health: the container must be running and, with `status: healthy`, its Docker healthcheck must
 * report healthy.
 */
export const ContainerHealthProbeSpec = z
    .object({
        kind: z.literal("container-health"),
        ...ProbeBase,
        container: ContainerRef,
        /** What counts as up: `running` (default) or `healthy` (needs a HEALTHCHECK on the container). */
        status: z.enum(["running", "healthy"], { error: "must be running or healthy" }).default("running"),
    })
    .strict();

/**
 * Container CPU and memory, from the Docker engine's stats. The sample's value is the CPU percentage (of one
 * core) and its detail the memory in use. Fails when over `maxCpuPercent` or `maxMemory`, if set.
 */
export const ContainerStatsProbeSpec = z
    .object({
        kind: z.literal("container-stats"),
        ...ProbeBase,
        container: ContainerRef,
        /** Fail above this CPU use, in percent of one core (a container using two full cores is at 200). */
        maxCpuPercent: z.number().positive("must be greater than zero").optional(),
        /** Fail above this memory use, e.g. "256MiB". */
        maxMemory: ByteSize.optional(),
    })
    .strict();

/**
 * Message counts in Redis: the length of a stream (XLEN) or list (LLEN), or the pending entries of a stream's
 * consumer group (XPENDING), e.g. a dead-letter queue's size. Reached at `redis` (a redis:// URL, e.g. a port
 * published on 127.0.0.1) or with `redis-cli` inside `container`. The sample's value is the count; it passes when
 * within `min`/`max` (or equal to `equals`).
 */
export const MessageCountProbeSpec = z
    .object({
        kind: z.literal("message-count"),
        ...ProbeBase,
        /** redis://host:port (optionally /db) to connect to. */
        redis: z
            .string()
            .refine((u) => {
                try {
                    return new URL(u).protocol === "redis:";
                } catch {
                    return false;
                }
            }, "must be a redis:// URL, e.g. redis://127.0.0.1:6379")
            .optional(),
        /** Or: run `redis-cli` inside this container. */
        container: ContainerRef.optional(),
        /** The stream or list key, e.g. orders or orders:dlq. */
        key: z.string({ error: "required: the Redis key of the stream or list to count" }).min(1, "must not be empty"),
        /** What to count: `stream` length (default), `list` length, or `pending` entries of `group`. */
        type: z.enum(["stream", "list", "pending"], { error: "must be stream, list or pending" }).default("stream"),
        /** Consumer group, for type `pending`. */
        group: z.string().min(1).optional(),
        min: z.number().int().nonnegative().optional(),
        max: z.number().int().nonnegative().optional(),
        equals: z.number().int().nonnegative().optional(),
    })
    .strict()
    .superRefine((p, ctx) => {
        if ((p.redis === undefined) === (p.container === undefined)) {
            ctx.addIssue({ code: "custom", message: "give exactly one of redis (a redis:// URL) or container (where redis-cli runs)" });
        }
        if (p.type === "pending" && p.group === undefined) {
            ctx.addIssue({ code: "custom", path: ["group"], message: "required for type pending: the consumer group to count pending entries of" });
        }
        if (p.min !== undefined && p.max !== undefined && p.min > p.max) {
            ctx.addIssue({ code: "custom", path: ["min"], message: `min (${p.min}) is greater than max (${p.max}); no count can pass` });
        }
    });

/** A Kubernetes object name (a DNS-1123 subdomain, as Deployments and namespaces are named). */
const KubeName = (what: string, example: string) =>
    z
        .string({ error: `required: the name of the ${what}, e.g. ${example}` })
        .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, `is not a Kubernetes name: lowercase letters, digits, '-' and '.', e.g. ${example}`);

/** What a Kubernetes probe checks; each check has its own fields (see KubernetesProbeSpec). */
const KUBE_CHECK_FIELDS = {
    "ready-replicas": ["minReady"],
    restarts: ["maxRestarts"],
    "pods-ready": ["minPods", "state"],
} as const;

/**
 * Kubernetes state, read from the API through the kubeconfig (`kubeconfig`, else $KUBECONFIG, else
 * ~/.kube/config; its current context), or the pod's service account in a cluster. One of three checks:
 * - `ready-replicas`: the Deployment `deployment` has at least `minReady` ready replicas, or by default all of its
 *   desired replicas (and at least one: a Deployment scaled to zero serves nothing). Value: ready replicas.
 * - `restarts`: the containers of the selected pods restarted at most `maxRestarts` times in all (default 0).
 *   Value: the total.
 * - `pods-ready`: every selected pod is Running (`state: running`) or Running and Ready (`state: ready`, the
 *   default), and there are at least `minPods` of them (default 1). A terminating pod is not ready. Value: ready pods.
 * Pods are selected by `selector` (labels) or by `deployment` (its pod selector).
 */
export const KubernetesProbeSpec = z
    .object({
        kind: z.literal("kubernetes"),
        ...ProbeBase,
        check: z.enum(["ready-replicas", "restarts", "pods-ready"], { error: "required: the check, one of ready-replicas, restarts, pods-ready" }),
        namespace: KubeName("namespace", "shop"),
        /** The Deployment: required for ready-replicas; for the pod checks, its pods (by its selector). */
        deployment: KubeName("Deployment", "api").optional(),
        /** Pod labels that select the pods, e.g. { app: worker }. */
        selector: z
            .record(z.string().min(1, "a label key must not be empty"), z.string(), { error: "must be a map of pod labels, e.g. { app: worker }" })
            .refine((r) => Object.keys(r).length > 0, "give at least one label, e.g. { app: worker }")
            .optional(),
        /** ready-replicas: at least this many ready. Defaults to every desired replica. */
        minReady: z.number().int("must be a whole number").nonnegative("must be 0 or more").optional(),
        /** restarts: at most this many container restarts over the selected pods. Defaults to 0. */
        maxRestarts: z.number().int("must be a whole number").nonnegative("must be 0 or more").optional(),
        /** pods-ready: at least this many pods must be selected. Defaults to 1. */
        minPods: z.number().int("must be a whole number").positive("must be at least 1").optional(),
        /** pods-ready: `ready` (Running and the Ready condition true, the default) or `running` (phase only). */
        state: z.enum(["running", "ready"], { error: "must be running or ready" }).optional(),
        /** Path of a kubeconfig (its current context is used). Defaults to $KUBECONFIG, then ~/.kube/config. */
        kubeconfig: z.string().min(1, "must not be empty: the path of a kubeconfig file").optional(),
    })
    .strict()
    .superRefine((p, ctx) => {
        const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
        if (p.check === "ready-replicas") {
            if (p.deployment === undefined) issue("deployment", "required for check ready-replicas: the name of the Deployment");
            if (p.selector !== undefined) issue("selector", "check ready-replicas reads the Deployment's status, not pods; remove selector");
        } else if ((p.deployment === undefined) === (p.selector === undefined)) {
            issue(p.selector === undefined ? "selector" : "deployment", `check ${p.check} needs exactly one of selector (pod labels, e.g. { app: worker }) or deployment (its pods)`);
        }
        for (const [check, fields] of Object.entries(KUBE_CHECK_FIELDS)) {
            if (check === p.check) continue;
            for (const f of fields) if (p[f] !== undefined) issue(f, `only for check ${check}; check ${p.check} does not use it`);
        }
    });

/** The project's own Prometheus (`bash scripts/prometheus.sh up`): the default of every PromQL probe and stop condition. */
export const DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:19090";

/** Where a PromQL expression is evaluated: a Prometheus base URL and the expression. */
export const PromQuery = {
    /** Base URL of Prometheus (its HTTP API is under <url>/api/v1/). Defaults to http://127.0.0.1:19090. */
    url: z
        .string()
        .refine((u) => {
            try {
                return ["http:", "https:"].includes(new URL(u).protocol);
            } catch {
                return false;
            }
        }, "must be the http:// or https:// base URL of Prometheus, e.g. http://127.0.0.1:9090")
        .default(DEFAULT_PROMETHEUS_URL),
    /** A PromQL expression, evaluated at each sample (an instant query). */
    query: z.string({ error: "required: a PromQL expression, e.g. sum(rate(http_requests_total[15s]))" }).min(1, "must not be empty: give a PromQL expression"),
};

/**
 * Prometheus: a PromQL expression evaluated at each sample (`/api/v1/query`). Exactly one condition: every series of
 * the result must be `below` or `above` a number, or `between` two (inclusive), or the result must be `empty`
 * (`empty: true`, e.g. no firing alert) or not (`empty: false`). A numeric condition fails on an empty result: write
 * `(... ) or vector(0)` where no series means zero. The sample's value is the first series' value.
 */
export const PrometheusProbeSpec = z
    .object({
        kind: z.literal("prometheus"),
        ...ProbeBase,
        ...PromQuery,
        below: z.number().optional(),
        above: z.number().optional(),
        between: z
            .tuple([z.number(), z.number()], { error: "must be [low, high], e.g. [0, 0.05]" })
            .refine(([lo, hi]) => lo <= hi, "low is greater than high; no value can pass")
            .optional(),
        empty: z.boolean().optional(),
    })
    .strict()
    .refine((p) => [p.below, p.above, p.between, p.empty].filter((c) => c !== undefined).length === 1, {
        message: "give exactly one condition: below, above, between or empty",
    });

/** Every probe kind. Add one: its schema here, its implementation in runner/probes/, a case in runner/probes/index.ts. */
export const ProbeSpec = z.discriminatedUnion(
    "kind",
    [HttpProbeSpec, TcpProbeSpec, CommandProbeSpec, ContainerHealthProbeSpec, ContainerStatsProbeSpec, MessageCountProbeSpec, KubernetesProbeSpec, PrometheusProbeSpec],
    { error: "unknown probe kind; use one of: http, tcp, command, container-health, container-stats, message-count, kubernetes, prometheus" },
);
export type ProbeSpec = z.output<typeof ProbeSpec>;
/** A probe after the experiment gave it a name. */
export type NamedProbe = ProbeSpec & { name: string };
