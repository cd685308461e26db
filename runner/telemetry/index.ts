// Where a finished run reports itself besides its evidence files: Grafana annotations and an OpenTelemetry trace.
// Both run after the rollback (nothing here can delay or fail it), in parallel, each bounded in time; what fails is
// recorded in the evidence and warned about, and never changes the verdict or the exit code.
import type { ExperimentSpec } from "../../components/experiment";
import type { Evidence } from "../evidence/schema";
import { postAnnotations } from "./grafana";
import { exportRunTrace } from "./otel";

/**
 * Posts the run's annotations to the experiment's Grafana (if it names one) and exports the run as a trace (if
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set). Fills in `annotation_delivery` and adds
 * a line to `errors` for an export that failed. Never throws.
 */
export async function publishRun(evidence: Evidence, spec: Pick<ExperimentSpec, "grafana">, warn: (message: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    const startedAt = Date.parse(evidence.started_at);
    const [delivery, trace] = await Promise.all([
        spec.grafana ? postAnnotations(spec.grafana, startedAt, evidence.annotations, env) : Promise.resolve(null),
        exportRunTrace(evidence, env),
    ]);
    evidence.annotation_delivery = delivery;
    if (delivery?.error) warn(`grafana: ${delivery.failed} of ${delivery.posted + delivery.failed} annotations not posted (kept in the evidence): ${delivery.error}`);
    if (trace.error) {
        warn(`opentelemetry: ${trace.error}`);
        evidence.errors.push(`opentelemetry: ${trace.error}`);
    }
}
