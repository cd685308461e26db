// Human reports of a run: Markdown, and a self-contained HTML page (inline CSS and an inline SVG chart, scaled and
// drawn by d3-scale and d3-shape without a browser; no scripts, no CDN) that opens anywhere, including an air-gapped laptop.
import { scaleLinear } from "d3-scale";
import { line } from "d3-shape";
import { failureModeMatrix, SEVERITY_ORDER, severityOf, type Severity } from "./matrix";
import { figure, isEvaluated, NOT_EVALUATED, OUTCOME_HEADLINE, OUTCOME_MEANING } from "./outcome";
import { violationLine as formatViolation } from "../pulumi";
import { recoveryDesign } from "./recoveryDesign";
import type { Evidence } from "./schema";
import { renderReport, renderTable, type Cell, type ReportView, type Section } from "./templates";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);
const ms = (x: number | null) => (x === null ? "n/a" : `${Math.round(x)} ms`);
const mdCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A transition's span and errors, for the chaos window's line. */
function transitionText(t: NonNullable<Evidence["timing"]["chaos_window"]>["transitions"]["inject"]): string {
    return t ? `${((t.end_ms - t.start_ms) / 1000).toFixed(2)} s with ${t.errors} errors of ${t.count}` : "n/a";
}

/** The headline of a run: one wording per outcome (runner/evidence/outcome.ts). */
export function headline(e: Pick<Evidence, "outcome">): string {
    return OUTCOME_HEADLINE[e.outcome];
}

/** A policy violation of the evidence in one line, worded as `plan` and `run` print it. */
export function violationLine(v: Evidence["policy_violations"][number]): string {
    return formatViolation({
        policy: v.policy,
        level: v.level,
        ...(v.resource ? { resource: v.resource } : {}),
        resourceName: v.resource_name,
        resourceType: v.resource_type,
        pack: v.pack,
        description: "",
        message: v.message,
        fix: v.fix,
    });
}

/** What produced a run, in one line. */
export function provenanceLine(e: Pick<Evidence, "provenance">): string {
    const p = e.provenance;
    return `faultline ${p.faultline_version} (commit ${p.faultline_commit ?? "unknown"}) · Pulumi CLI ${p.pulumi_cli_version ?? "unknown"} · Node.js ${p.node_version} · stack ${p.stack} · host ${p.host.name} (${p.host.platform}, ${p.host.arch})`;
}

/** The Markdown report of one run. */
export function markdownReport(e: Evidence): string {
    const L: string[] = [];
    L.push(`# ${e.experiment}: ${headline(e)}`, "");
    L.push(`- **Outcome**: ${e.outcome}, ${OUTCOME_MEANING[e.outcome]} (exit code ${e.exit_code}); **status**: ${e.status}`);
    L.push(`- **Why**: ${e.reason}`);
    L.push(`- **Component**: ${e.component}; **stack**: ${e.stack}; **run**: ${e.run_id}`);
    L.push(`- **Resilience score**: ${figure(e.outcome, e.resilience_metrics.overall_score, (v) => `${v} / 100`)}; production ready: ${figure(e.outcome, e.resilience_metrics.production_ready, (v) => (v ? "yes" : "no"))}; severity: ${severityOf(e)}`);
    L.push(`- **When**: ${e.started_at} → ${e.finished_at} (${(e.duration_ms / 1000).toFixed(1)} s)`);
    if (e.hypothesis.text) L.push(`- **Hypothesis**: ${e.hypothesis.text}`);
    L.push("");
    if (e.violations.length) {
        L.push("## Violations", "", ...e.violations.map((v) => `- ${v}`), "");
    }
    if (e.policy_violations.length) {
        L.push("## Policy violations", "", "| Level | Policy | Resource | Message | Fix |", "|---|---|---|---|---|");
        for (const v of e.policy_violations) L.push(`| ${v.level} | ${v.policy} | ${mdCell(v.resource_name)} (${mdCell(v.resource_type)}) | ${mdCell(v.message)} | ${mdCell(v.fix)} |`);
        L.push("");
    }
    const design = recoveryDesign(e);
    if (design.length) {
        L.push("## Recovery design", "", "What would have held, per violated SLO and fault, and what to verify after adding it.", "", "| Fault | Kind | Violated | Pattern | Verify |", "|---|---|---|---|---|");
        for (const d of design) L.push(`| ${d.fault} | ${d.kind} | ${mdCell(d.slo)} | ${mdCell(d.pattern)} | ${mdCell(d.verify)} |`);
        L.push("");
    }
    L.push("## Scenarios", "", "| Fault | Kind | What it does | Executed | Validated |", "|---|---|---|---|---|");
    for (const s of e.chaos_scenarios) L.push(`| ${s.fault} | ${s.kind} | ${mdCell(s.description)} | ${s.executed ? "yes" : "no"} | ${s.validated ? "yes" : "no"} |`);
    L.push("");
    L.push("## Expected behaviour", "");
    if (e.fail_closed_behavior.expectations.length === 0) L.push("No expected behaviours declared; the steady-state SLOs stand for them.", "");
    else {
        L.push("| Fault | Behaviour | Mode | Result | Detail |", "|---|---|---|---|---|");
        for (const x of e.fail_closed_behavior.expectations) {
            L.push(`| ${x.fault} | ${mdCell(x.behaviour)} | ${x.mode} | ${x.passed ? "seen" : "**not seen**"} | ${mdCell(x.detail)} |`);
        }
        L.push("", `Fail-closed activation: ${ms(e.fail_closed_behavior.activation_time_ms)}; behaviour correct: ${e.fail_closed_behavior.behavior_correct ? "yes" : "no"}.`, "");
    }
    L.push("## SLOs", "", "| SLO | Window | Limit | Observed | Result |", "|---|---|---|---|---|");
    for (const r of e.slo_results) {
        const fmt = (v: number | null) => (v === null ? "n/a" : r.unit === "ratio" ? pct(v) : r.unit === "ms" ? `${v} ms` : `${v} req/s`);
        L.push(`| ${r.slo} | ${r.window} | ${fmt(r.limit)} | ${fmt(r.observed)} | ${r.passed ? "met" : "**violated**"} |`);
    }
    L.push("");
    L.push(...markdownFigures(e), "");
    if (e.load) {
        L.push("## Load", "", `${e.load.tool}: ${e.load.rate} req/s, ${e.load.scheduled} scheduled, ${e.load.ok} ok, ${e.load.errors} errors (${e.load.dropped} dropped); p50 ${e.load.latency_ms.p50} ms, p95 ${e.load.latency_ms.p95} ms, p99 ${e.load.latency_ms.p99} ms, max ${e.load.latency_ms.max} ms.`, "");
    }
    const cw = e.timing.chaos_window;
    if (cw) L.push(`Chaos window (SLOs judged ${cw.counts === "fault" ? "while the faults were in" : "with up and destroy"}): ${(cw.start_ms / 1000).toFixed(2)} s to ${(cw.end_ms / 1000).toFixed(2)} s, ${(cw.duration_ms / 1000).toFixed(2)} s; inject transition ${transitionText(cw.transitions.inject)}, rollback transition ${transitionText(cw.transitions.rollback)}.`, "");
    L.push("## Timeline", "", "| Phase | From | To |", "|---|---|---|");
    for (const p of e.timing.phases) L.push(`| ${p.name} | ${(p.start_ms / 1000).toFixed(2)} s | ${(p.end_ms / 1000).toFixed(2)} s |`);
    L.push("");
    if (e.annotations.length) {
        L.push("## Annotations", "", annotationDeliveryText(e), "", "| From | To | What |", "|---|---|---|");
        for (const a of e.annotations) L.push(`| ${(a.time_ms / 1000).toFixed(2)} s | ${(a.time_end_ms / 1000).toFixed(2)} s | ${mdCell(a.text)} |`);
        L.push("");
    }
    L.push("## Probe sampling", "", "| Probe | Samples | Rate | Mean cost |", "|---|---|---|---|");
    for (const s of e.sampling) L.push(`| ${s.probe} | ${s.samples} | ${s.rate_hz} Hz | ${s.mean_cost_ms} ms |`);
    L.push("");
    const rb = e.rollback;
    L.push("## Rollback", "", `${rb.performed ? `Performed in ${ms(rb.duration_ms)} (${rb.attempts} attempt(s))` : "Not needed"}: ${rb.result}${rb.cleared_pending_creates ? "; pending creates cleared first" : ""}${rb.error ? `; error: ${rb.error}` : ""}.`, "");
    if (e.errors.length) L.push("## Errors", "", ...e.errors.map((x) => `- ${x}`), "");
    L.push("## Provenance", "", provenanceLine(e), "", "The experiment as it ran (parsed, redacted):", "", "```json", JSON.stringify(e.provenance.experiment, null, 2), "```", "");
    return L.join("\n");
}

/** The recovery and score sections of report.md: figures for an evaluated run, "not evaluated" otherwise. */
function markdownFigures(e: Evidence): string[] {
    if (!isEvaluated(e.outcome)) return ["## Recovery and score", "", `${NOT_EVALUATED}: ${OUTCOME_MEANING[e.outcome]}, so there is no recovery time, resilience score or chaos tolerance.`];
    const rv = e.recovery_validation;
    const L = ["## Recovery", ""];
    L.push(`- Recovered: ${rv.recovered ? "yes" : "**no**"} in ${ms(rv.recovery_time_ms)} (p95 ${ms(rv.recovery_time_p95_ms)}; SLO ${ms(rv.recovery_slo_ms)}); SLO compliance: ${rv.slo_compliance ? "yes" : "no"}`);
    L.push(`- Success rate after recovery: ${pct(rv.success_rate)}`);
    for (const p of rv.per_probe) L.push(`  - ${p.probe}: ${p.recovered ? `recovered in ${ms(p.recovery_time_ms)}` : "not recovered"}`);
    L.push("", "## Score", "", "| Part | Weight | Earned | Points |", "|---|---|---|---|");
    for (const p of e.resilience_metrics.parts) L.push(`| ${p.part} | ${p.weight} | ${pct(p.fraction)} | ${p.points} |`);
    L.push(`| **total** | | | **${e.resilience_metrics.overall_score}** |`, "");
    L.push(`Chaos tolerance (requests that succeeded while the faults were in): ${pct(e.resilience_metrics.chaos_tolerance)}.`);
    return L;
}

/** The failure-mode matrix across runs, as Markdown. */
export function markdownMatrix(runs: Evidence[]): string {
    const m = failureModeMatrix(runs);
    const L = ["# Failure-mode matrix", "", `| Scenario | ${m.components.join(" | ")} |`, `|---|${m.components.map(() => "---").join("|")}|`];
    for (const s of m.scenarios) {
        const cells = m.components.map((c) => {
            const cell = m.cells.find((x) => x.scenario === s && x.component === c);
            return cell ? `${cell.outcome} · ${cell.severity} · ${cell.score ?? NOT_EVALUATED}` : "";
        });
        L.push(`| ${s} | ${cells.join(" | ")} |`);
    }
    const designs = m.cells.flatMap((c) => recoveryDesign(runs.find((r) => r.run_id === c.run_id)!).map((d) => ({ ...d, scenario: c.scenario, component: c.component })));
    if (designs.length) {
        L.push("", "## Recovery design", "", "| Scenario | Component | Fault kind | Violated | Pattern | Verify |", "|---|---|---|---|---|---|");
        for (const d of designs) L.push(`| ${mdCell(d.scenario)} | ${mdCell(d.component)} | ${d.kind} | ${mdCell(d.slo)} | ${mdCell(d.pattern)} | ${mdCell(d.verify)} |`);
    }
    L.push("", "Cells: outcome · severity · score of the latest run. Severity scale (worst first): " + SEVERITY_ORDER.join(", ") + ".", "");
    return L.join("\n");
}

const SEVERITY_COLOR: Record<Severity, string> = {
    critical: "#7f1d1d",
    high: "#dc2626",
    medium: "#f59e0b",
    low: "#84cc16",
    none: "#16a34a",
    unknown: "#6b7280",
};
const OUTCOME_COLOR = { held: "#16a34a", refuted: "#dc2626", aborted: "#6b7280", error: "#6b7280" } as const;

/** One panel of the chart: a series over time with the fault window shaded and phase boundaries marked. */
function panel(
    e: Evidence,
    opts: { title: string; y: number; height: number; width: number; series: Array<{ label: string; color: string; values: Array<number | null> }>; unit: string; max?: number },
): string {
    const left = 70;
    const right = 20;
    const plotW = opts.width - left - right;
    const top = opts.y + 22;
    const h = opts.height - 40;
    const buckets = e.timeline.buckets;
    const total = Math.max(e.duration_ms, buckets.length * e.timeline.bucket_ms, 1);
    const x = scaleLinear().domain([0, total]).range([left, left + plotW]);
    const all = opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
    const y = scaleLinear()
        .domain([0, opts.max ?? Math.max(1, ...all) * 1.1])
        .range([top + h, top])
        .clamp(true);
    if (opts.max === undefined) y.nice(4);
    const out: string[] = [];
    out.push(`<text x="${left}" y="${opts.y + 14}" class="ptitle">${esc(opts.title)}</text>`);
    if (e.timing.fault_window) {
        const fw = e.timing.fault_window;
        out.push(`<rect x="${x(fw.start_ms).toFixed(1)}" y="${top}" width="${Math.max(1, x(fw.end_ms) - x(fw.start_ms)).toFixed(1)}" height="${h}" class="fault"/>`);
        const inAt = e.chaos_scenarios.map((c) => c.injected_at_ms).filter((t): t is number => t !== null);
        const outAt = e.recovery_validation.measured_from_ms ?? fw.end_ms;
        if (inAt.length) {
            const from = Math.min(...inAt);
            out.push(`<rect x="${x(from).toFixed(1)}" y="${top}" width="${Math.max(1, x(outAt) - x(from)).toFixed(1)}" height="${h}" class="faultin"/>`);
        }
    }
    const label = y.tickFormat(4);
    for (const v of y.ticks(4)) {
        out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
        out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" class="ylab">${label(v)}${opts.unit}</text>`);
    }
    for (const p of e.timing.phases) {
        if (p.start_ms <= 0) continue;
        out.push(`<line x1="${x(p.start_ms).toFixed(1)}" x2="${x(p.start_ms).toFixed(1)}" y1="${top}" y2="${top + h}" class="phase"/>`);
    }
    const bucket = e.timeline.bucket_ms;
    const path = line<number | null>()
        .defined((v) => v !== null)
        .x((_, i) => x(i * bucket + bucket / 2))
        .y((v) => y(v!))
        .digits(1);
    for (const s of opts.series) {
        const d = path(s.values);
        if (d && s.values.some((v) => v !== null)) out.push(`<path d="${d}" stroke="${s.color}" class="series"/>`);
    }
    // One text, flowed by the viewer and anchored at the right edge: no label width to guess.
    const keys = opts.series.map((s) => `<tspan fill="${s.color}">&#9644;</tspan> ${esc(s.label)}`).join("  ");
    out.push(`<text x="${left + plotW}" y="${opts.y + 11}" class="legend" text-anchor="end" xml:space="preserve">${keys}</text>`);
    out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${h}" class="frame"/>`);
    return out.join("");
}

/** Where the run's annotations went, in one sentence. */
function annotationDeliveryText(e: Evidence): string {
    const d = e.annotation_delivery;
    if (!d) return "Kept in the evidence only (no grafana in the experiment).";
    const failed = d.failed ? `; ${d.failed} not posted: ${d.error}` : "";
    return `Posted to Grafana ${d.grafana_url}: ${d.posted} of ${d.posted + d.failed}${failed}.`;
}

/** The point annotations (the stop condition) as labelled vertical lines across the chart's panels. */
function annotationMarks(e: Evidence, left: number, plotW: number, total: number, top: number, bottom: number): string[] {
    return e.annotations
        .filter((a) => a.time_end_ms === a.time_ms)
        .map((a) => {
            const px = (left + (a.time_ms / total) * plotW).toFixed(1);
            return `<line x1="${px}" x2="${px}" y1="${top}" y2="${bottom}" class="mark"><title>${esc(a.text)}</title></line><text x="${px}" y="${top - 2}" class="marklab">${esc(a.phase)}</text>`;
        });
}

/** The timeline chart: latency, error rate and throughput over the run, the fault window shaded. */
export function timelineSvg(e: Evidence, width = 1100): string {
    const b = e.timeline.buckets;
    const ph = 190;
    const head = 24;
    const total = Math.max(e.duration_ms, b.length * e.timeline.bucket_ms, 1);
    const axisY = head + 3 * ph + 8;
    const left = 70;
    const plotW = width - left - 20;
    const seconds = scaleLinear().domain([0, total / 1000]).range([left, left + plotW]);
    const ticks = seconds
        .ticks(10)
        .filter(Number.isInteger)
        .map((s) => `<line x1="${seconds(s).toFixed(1)}" x2="${seconds(s).toFixed(1)}" y1="${axisY - 6}" y2="${axisY}" class="tick"/><text x="${seconds(s).toFixed(1)}" y="${axisY + 14}" class="xlab">${s}s</text>`);
    const phaseLabels = e.timing.phases
        .filter((p) => p.end_ms - p.start_ms > total / 40)
        .map((p) => `<text x="${(left + ((p.start_ms + p.end_ms) / 2 / total) * plotW).toFixed(1)}" y="${axisY + 32}" class="phlab">${esc(p.name)}</text>`);
    const source = e.timeline.source === "load" ? "load requests" : "steady-state probe samples";
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${axisY + 44}" width="100%" role="img" aria-label="timeline">`,
        `<style>.ptitle{font:600 13px sans-serif;fill:#111}.ylab{font:11px sans-serif;fill:#555;text-anchor:end}.xlab,.phlab{font:11px sans-serif;fill:#555;text-anchor:middle}.phlab{fill:#333;font-style:italic}.legend{font:11px sans-serif;fill:#333}.grid{stroke:#e5e7eb}.phase{stroke:#9ca3af;stroke-dasharray:4 3}.series{fill:none;stroke-width:1.6}.fault{fill:#fee2e2;opacity:.7}.faultin{fill:#fca5a5;opacity:.45}.frame{fill:none;stroke:#d1d5db}.tick{stroke:#6b7280}.mark{stroke:#7c3aed;stroke-width:1.5}.marklab{font:11px sans-serif;fill:#7c3aed;text-anchor:middle}</style>`,
        panel(e, {
            title: `Latency (${source})`,
            y: head,
            height: ph,
            width,
            unit: " ms",
            series: [
                { label: "p95", color: "#dc2626", values: b.map((x) => x.latency_p95_ms) },
                { label: "p50", color: "#2563eb", values: b.map((x) => x.latency_p50_ms) },
            ],
        }),
        panel(e, {
            title: "Error rate",
            y: head + ph,
            height: ph,
            width,
            unit: "%",
            max: 100,
            series: [{ label: "errors", color: "#b91c1c", values: b.map((x) => (x.requests ? x.error_rate * 100 : null)) }],
        }),
        panel(e, {
            title: e.timeline.source === "load" ? "Throughput (successful requests/s)" : "Throughput (successful samples/s)",
            y: head + 2 * ph,
            height: ph,
            width,
            unit: "/s",
            series: [{ label: "ok/s", color: "#059669", values: b.map((x) => (x.requests ? x.throughput_rps : null)) }],
        }),
        ...ticks,
        ...phaseLabels,
        ...annotationMarks(e, left, plotW, total, head, axisY),
        `<rect x="${left}" y="4" width="14" height="10" class="faultin"/><text x="${left + 19}" y="13" class="legend">fault in effect (injected → seen reverted)</text>`,
        `<rect x="${left + 250}" y="4" width="14" height="10" class="fault"/><text x="${left + 269}" y="13" class="legend">fault window (up started → destroy ended)</text>`,
        `<line x1="${left + 510}" x2="${left + 530}" y1="9" y2="9" class="phase"/><text x="${left + 535}" y="13" class="legend">phase boundary (phases named under the time axis)</text>`,
        "</svg>",
    ].join("\n");
}

const CSS = `body{font:14px/1.45 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111;margin:24px auto;max-width:1140px;padding:0 16px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:16px;margin:26px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
.badge{display:inline-block;color:#fff;border-radius:4px;padding:2px 10px;font-weight:700;letter-spacing:.03em}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:14px 0}.card{border:1px solid #e5e7eb;border-radius:6px;padding:8px 14px;min-width:150px}
.card .v{font-size:20px;font-weight:700}.card .k{color:#6b7280;font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f9fafb;font-weight:600}.bad{color:#b91c1c;font-weight:600}.good{color:#15803d}.muted{color:#6b7280}
.interrupted{background:#fef3c7;border:1px solid #f59e0b;padding:8px 12px;border-radius:6px;margin:10px 0}
ul.v li{color:#b91c1c}`;

/** A table of our own markup, cell by cell (the matrix's badges). */
function table(head: string[], rows: string[][]): string {
    return renderTable({ head, rows: rows.map((r) => r.map((html) => ({ html }))) });
}

const good = (text: string): Cell => ({ text, cls: "good" });
const bad = (text: string): Cell => ({ text, cls: "bad" });

/** The score cards at the top of the report. */
function cards(e: Evidence): ReportView["cards"] {
    const rv = e.recovery_validation;
    const sev = severityOf(e);
    const evaluated = isEvaluated(e.outcome);
    return [
        { k: "Resilience score", v: figure(e.outcome, e.resilience_metrics.overall_score, (v) => `${v} / 100`), cls: evaluated ? "" : "muted" },
        { k: "Severity", v: sev, cls: sev === "none" || sev === "low" ? "good" : sev === "unknown" ? "muted" : "bad" },
        { k: "Recovery", v: figure(e.outcome, rv, (r) => (r.recovered ? ms(r.recovery_time_ms) : "not recovered")), cls: !evaluated ? "muted" : rv.recovered ? "good" : "bad" },
        { k: "Fail-closed activation", v: ms(e.fail_closed_behavior.activation_time_ms), cls: "" },
        { k: "Chaos tolerance", v: figure(e.outcome, e.resilience_metrics.chaos_tolerance, pct), cls: evaluated ? "" : "muted" },
        { k: "Production ready", v: figure(e.outcome, e.resilience_metrics.production_ready, (v) => (v ? "yes" : "no")), cls: !evaluated ? "muted" : e.resilience_metrics.production_ready ? "good" : "bad" },
    ];
}

/** The sections before the timeline: what went wrong and what to do about it. */
function findingSections(e: Evidence): Section[] {
    const out: Section[] = [];
    if (e.violations.length) out.push({ title: "Violations", list: e.violations });
    const design = recoveryDesign(e);
    if (design.length) out.push({ title: "Recovery design", table: { head: ["Fault", "Kind", "Violated", "Pattern", "Verify"], rows: design.map((d) => [d.fault, d.kind, d.slo, d.pattern, d.verify]) } });
    if (e.policy_violations.length) {
        const rows = e.policy_violations.map((v): Cell[] => [v.level, v.policy, [v.resource_name, " ", { text: v.resource_type, cls: "muted" }], v.message, v.fix]);
        out.push({ title: "Policy violations", table: { head: ["Level", "Policy", "Resource", "Message", "Fix"], rows } });
    }
    return out;
}

/** The sections of what was checked: scenarios, expected behaviour, SLOs. */
function checkSections(e: Evidence): Section[] {
    const out: Section[] = [];
    out.push({ title: "Scenarios", table: { head: ["Fault", "Kind", "What it does", "Executed", "Validated"], rows: e.chaos_scenarios.map((s) => [s.fault, s.kind, s.description, s.executed ? "yes" : "no", s.validated ? good("yes") : bad("no")]) } });
    if (e.fail_closed_behavior.expectations.length) {
        const rows = e.fail_closed_behavior.expectations.map((x): Cell[] => [x.fault, x.behaviour, x.mode, x.passed ? good("seen") : bad("not seen"), x.detail]);
        out.push({ title: "Expected behaviour", table: { head: ["Fault", "Behaviour", "Mode", "Result", "Detail"], rows } });
    }
    out.push({ title: "SLOs", table: { head: ["SLO", "Window", "Result", "Detail"], rows: e.slo_results.map((r) => [r.slo, r.window, r.passed ? good("met") : bad("violated"), r.message]) } });
    return out;
}

/** The run's annotations and where they went (Grafana, or the evidence only). */
function annotationSections(e: Evidence): Section[] {
    if (!e.annotations.length) return [];
    const rows = e.annotations.map((a): Cell[] => [`${(a.time_ms / 1000).toFixed(2)} s`, `${(a.time_end_ms / 1000).toFixed(2)} s`, a.phase, a.text, { text: a.tags.join(" "), cls: "muted" }]);
    return [{ title: "Annotations", text: { text: annotationDeliveryText(e), cls: "muted" }, table: { head: ["From", "To", "Phase", "What", "Tags"], rows } }];
}

/** Recovery and score, or why there are none. */
function recoverySections(e: Evidence): Section[] {
    if (!isEvaluated(e.outcome)) {
        return [{ title: "Recovery and score", text: { text: `${NOT_EVALUATED}: ${OUTCOME_MEANING[e.outcome]}, so there is no recovery time, resilience score or chaos tolerance.`, cls: "muted" } }];
    }
    const rv = e.recovery_validation;
    const text: Cell = [
        "Recovered: ",
        rv.recovered ? "yes" : bad("no"),
        ` in ${ms(rv.recovery_time_ms)} (p95 ${ms(rv.recovery_time_p95_ms)}, SLO ${ms(rv.recovery_slo_ms)}); success rate after recovery ${pct(rv.success_rate)}; SLO compliance ${rv.slo_compliance ? "yes" : "no"}.`,
    ];
    const parts = e.resilience_metrics.parts.map((p): Cell[] => [p.part, String(p.weight), pct(p.fraction), String(p.points)]);
    return [
        { title: "Recovery", text, table: { head: ["Signal", "Recovered", "Time"], rows: rv.per_probe.map((p) => [p.probe, p.recovered ? "yes" : bad("no"), ms(p.recovery_time_ms)]) } },
        { title: "Resilience score", table: { head: ["Part", "Weight", "Earned", "Points"], rows: [...parts, [{ text: "total", cls: "b" }, "", "", { text: String(e.resilience_metrics.overall_score), cls: "b" }]] } },
    ];
}

/** How the run went: load, sampling, rollback, errors, provenance. */
function runSections(e: Evidence): Section[] {
    const out: Section[] = [];
    if (e.load) {
        const l = e.load;
        out.push({ title: "Load", text: `${l.tool}: ${l.rate} req/s · ${l.scheduled} scheduled · ${l.ok} ok · ${l.errors} errors (${l.dropped} dropped) · p50 ${l.latency_ms.p50} ms · p95 ${l.latency_ms.p95} ms · p99 ${l.latency_ms.p99} ms · max ${l.latency_ms.max} ms` });
    }
    out.push({ title: "Probe sampling", table: { head: ["Probe", "Samples", "Rate", "Mean cost"], rows: e.sampling.map((s) => [s.probe, String(s.samples), `${s.rate_hz} Hz`, `${s.mean_cost_ms} ms`]) } });
    const rb = e.rollback;
    const rollback: Cell[] = [rb.performed ? `${rb.result} in ${ms(rb.duration_ms)} (${rb.attempts} attempt(s))` : "not needed", rb.cleared_pending_creates ? "; pending creates cleared first" : ""];
    if (rb.error) rollback.push("; ", bad(rb.error));
    out.push({ title: "Rollback", text: rollback });
    if (e.errors.length) out.push({ title: "Errors", list: e.errors });
    out.push({ title: "Provenance", text: provenanceLine(e), details: { summary: "The experiment as it ran (parsed, redacted)", pre: JSON.stringify(e.provenance.experiment, null, 2) } });
    return out;
}

/** The self-contained HTML report of one run; with `others`, it ends with the failure-mode matrix across runs. */
export function htmlReport(e: Evidence, others: Evidence[] = []): string {
    const meta: Cell[] = [["component ", { text: e.component, cls: "b" }], `stack ${e.stack}`, `run ${e.run_id}`, e.started_at, `${(e.duration_ms / 1000).toFixed(1)} s`];
    if (e.owner) meta.push(`owner ${e.owner}`);
    return renderReport({
        title: `${e.experiment}: ${headline(e)}`,
        css: CSS,
        experiment: e.experiment,
        headline: headline(e),
        color: OUTCOME_COLOR[e.outcome],
        meta,
        ...(e.status === "interrupted" ? { interrupted: `${e.reason} Rollback: ${e.rollback.result}.` } : {}),
        ...(e.hypothesis.text ? { hypothesis: e.hypothesis.text } : {}),
        meaning: OUTCOME_MEANING[e.outcome],
        reason: e.reason,
        cards: cards(e),
        sections: [...findingSections(e), { title: "Timeline", html: timelineSvg(e) }, ...annotationSections(e), ...checkSections(e), ...recoverySections(e), ...runSections(e)],
        after: others.length ? htmlMatrix([e, ...others]) : "",
        schema: e.schema,
    });
}

/** The failure-mode matrix as an HTML section. */
export function htmlMatrix(runs: Evidence[]): string {
    const m = failureModeMatrix(runs);
    const rows = m.scenarios.map((s) => [
        `<b>${esc(s)}</b>`,
        ...m.components.map((c) => {
            const cell = m.cells.find((x) => x.scenario === s && x.component === c);
            if (!cell) return "";
            return `<span class="badge" style="background:${SEVERITY_COLOR[cell.severity]}">${cell.severity}</span> ${cell.outcome} · ${cell.score ?? NOT_EVALUATED}<div class="muted">${esc(cell.reason)}</div>`;
        }),
    ]);
    const designs = m.cells.flatMap((c) => recoveryDesign(runs.find((r) => r.run_id === c.run_id)!).map((d) => [esc(c.scenario), esc(c.component), esc(d.kind), esc(d.slo), esc(d.pattern), esc(d.verify)]));
    const designTable = designs.length ? `<h2>Recovery design</h2>${table(["Scenario", "Component", "Fault kind", "Violated", "Pattern", "Verify"], designs)}` : "";
    return `<h2>Failure-mode matrix</h2>${table(["Scenario", ...m.components], rows)}${designTable}<p class="muted">Latest run per cell. Severity (worst first): ${SEVERITY_ORDER.join(", ")}.</p>`;
}

/** A standalone HTML page with only the failure-mode matrix. */
export function htmlMatrixPage(runs: Evidence[]): string {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>faultline failure-mode matrix</title><style>${CSS}</style></head><body><h1>Failure-mode matrix</h1>${htmlMatrix(runs).replace("<h2>Failure-mode matrix</h2>", "")}</body></html>`;
}
