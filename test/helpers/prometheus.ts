// The project's Prometheus for real-engine tests: started (idempotently) by scripts/prometheus.sh, a copy of the demo
// registered as a scrape target through a file under .faultline/prometheus/targets/ (demo/prometheus.yml), and
// bounded polling until Prometheus has scraped it.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../runner/env";
import { queryPrometheus } from "../../runner/probes/prometheus";
import { DEFAULT_PROMETHEUS_URL } from "../../spec/probe";
import { waitFor } from "./wait";

/** The project's Prometheus (scripts/prometheus.sh, port FAULTLINE_PROMETHEUS_PORT or 19090). */
export const PROMETHEUS_URL = process.env.FAULTLINE_PROMETHEUS_PORT ? `http://127.0.0.1:${process.env.FAULTLINE_PROMETHEUS_PORT}` : DEFAULT_PROMETHEUS_URL;

const TARGETS_DIR = path.join(PROJECT_ROOT, ".faultline", "prometheus", "targets");

/** Starts the project's Prometheus unless it runs (installing it first if needed). Left running: others share it. */
export function ensurePrometheus(): void {
    execFileSync("bash", [path.join(PROJECT_ROOT, "scripts", "prometheus.sh"), "up"], { stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 });
}

/**
 * Registers the demo copy `sandbox`'s API (on 127.0.0.1:`apiPort`) as a scrape target, and waits until Prometheus
 * has scraped it. Returns the function that unregisters it.
 */
export async function registerDemoTarget(sandbox: string, apiPort: number): Promise<() => void> {
    fs.mkdirSync(TARGETS_DIR, { recursive: true });
    const file = path.join(TARGETS_DIR, `${sandbox}.json`);
    // Written whole under another name, then renamed: Prometheus never reads half a file.
    fs.writeFileSync(`${file}.tmp`, JSON.stringify([{ targets: [`127.0.0.1:${apiPort}`], labels: { job: "demo-api", sandbox } }]));
    fs.renameSync(`${file}.tmp`, file);
    await waitFor(
        `Prometheus scraping ${sandbox}`,
        async () => ((await queryPrometheus(PROMETHEUS_URL, `up{sandbox="${sandbox}"} == 1`, 2000)).length === 1 ? true : undefined),
        60_000,
        500,
    );
    return () => fs.rmSync(file, { force: true });
}
