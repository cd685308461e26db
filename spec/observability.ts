// Where a run reports itself besides its evidence: Grafana annotations (this spec) and OpenTelemetry traces (the
// standard OTEL_EXPORTER_OTLP_* environment variables, so nothing here).
import { z } from "zod";
import { httpUrl } from "./fields";

/** An environment variable's name, as a shell writes it. */
const EnvName = z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable (letters, digits and _), not the token itself");

/**
 * Grafana to annotate: each run posts its phases (inject, each fault in, the stop condition, revert) to
 * `<url>/api/annotations`, so they show on the dashboards the team already watches. The token is read from the
 * environment variable named by `tokenEnv` (a service-account token with the annotations:write permission); it is
 * never written in the experiment. Without `grafana`, the annotations are only in the run's evidence.
 */
export const GrafanaSpec = z
    .object({
        /** Base URL of Grafana, e.g. https://grafana.example.com (its HTTP API is under <url>/api/). */
        url: httpUrl("Grafana", "http://127.0.0.1:3000"),
        /** Name of the environment variable that holds the API token (sent as a Bearer token). Defaults to GRAFANA_TOKEN. */
        tokenEnv: EnvName.default("GRAFANA_TOKEN"),
        /** Dashboard to attach the annotations to (its UID); without it they are organization-wide. */
        dashboardUID: z.string().min(1, "must not be empty: a dashboard UID, or leave the field out").optional(),
        /** Panel of that dashboard to attach them to. Needs dashboardUID. */
        panelId: z.number().int("must be a whole number").positive("must be greater than zero").optional(),
        /** Tags added to every annotation, besides faultline's own (faultline, the experiment, the phase). */
        tags: z.array(z.string().min(1)).default([]),
    })
    .strict()
    .refine((g) => g.panelId === undefined || g.dashboardUID !== undefined, { path: ["panelId"], message: "needs dashboardUID: a panel id is only unique within its dashboard" });
export type GrafanaSpec = z.output<typeof GrafanaSpec>;
