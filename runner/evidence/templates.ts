// The HTML report's templates (eta): every `<%= %>` is escaped by the engine, so no text reaches the page
// unescaped by oversight; `<%~ %>` is kept for markup made by our own code (the SVG chart, a nested table).
import { Eta } from "eta";

/** A table cell: text, text with a class (good, bad, muted), or several of them side by side. */
export type Cell = string | { text: string; cls: "good" | "bad" | "muted" | "b" } | { html: string } | Cell[];

/** A table: its header and rows of cells. */
export interface Table {
    head: string[];
    rows: Cell[][];
}

const CELL = `<% const c = it.c; %><% if (typeof c === "string") { %><%= c %><% } else if (Array.isArray(c)) { %><% for (const p of c) { %><%~ include("@cell", { c: p }) %><% } %><% } else if ("html" in c) { %><%~ c.html %><% } else if (c.cls === "b") { %><b><%= c.text %></b><% } else { %><span class="<%= c.cls %>"><%= c.text %></span><% } %>`;

const TABLE = `<table><tr><% for (const h of it.head) { %><th><%= h %></th><% } %></tr><% for (const r of it.rows) { %><tr><% for (const c of r) { %><td><%~ include("@cell", { c }) %></td><% } %></tr><% } %></table>`;

/** The report page; `it` is {@link ReportView}. */
const REPORT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title><%= it.title %></title><style><%~ it.css %></style></head><body>
<h1><%= it.experiment %> <span class="badge" style="background:<%= it.color %>"><%= it.headline %></span></h1>
<div class="muted"><% for (const [i, m] of it.meta.entries()) { %><%= i ? " · " : "" %><%~ include("@cell", { c: m }) %><% } %></div>
<% if (it.interrupted) { %><div class="interrupted"><b>Interrupted.</b> <%= it.interrupted %></div>
<% } %><% if (it.hypothesis) { %><p><b>Hypothesis:</b> <%= it.hypothesis %></p>
<% } %><p><b><%= it.meaning %>:</b> <%= it.reason %></p>
<div class="cards"><% for (const c of it.cards) { %><div class="card"><div class="k"><%= c.k %></div><div class="v <%= c.cls %>"><%= c.v %></div></div><% } %></div>
<% for (const s of it.sections) { %><h2><%= s.title %></h2><% if (s.text) { %><p><%~ include("@cell", { c: s.text }) %></p><% } %><% if (s.list) { %><ul class="v"><% for (const x of s.list) { %><li><%= x %></li><% } %></ul><% } %><% if (s.table) { %><%~ include("@table", s.table) %><% } %><% if (s.html) { %><%~ s.html %><% } %><% if (s.details) { %><details><summary><%= s.details.summary %></summary><pre><%= s.details.pre %></pre></details><% } %>
<% } %><%~ it.after %>
<p class="muted">Evidence: evidence.json (<%= it.schema %>) next to this page.</p></body></html>`;

/** One section of the report: a title, then a paragraph, a list, a table and/or our own markup. */
export interface Section {
    title: string;
    text?: Cell;
    list?: string[];
    table?: Table;
    html?: string;
    /** A folded block of preformatted text. */
    details?: { summary: string; pre: string };
}

/** What the report page shows, computed from the evidence (runner/evidence/report.ts). */
export interface ReportView {
    title: string;
    css: string;
    experiment: string;
    headline: string;
    color: string;
    meta: Cell[];
    interrupted?: string;
    hypothesis?: string;
    meaning: string;
    reason: string;
    cards: Array<{ k: string; v: string; cls: string }>;
    sections: Section[];
    /** Markup after the sections (the failure-mode matrix). */
    after: string;
    schema: string;
}

const eta = new Eta({ autoEscape: true, autoTrim: false, cache: true });
eta.loadTemplate("@cell", CELL);
eta.loadTemplate("@table", TABLE);
eta.loadTemplate("@report", REPORT);

/** The report page. */
export function renderReport(view: ReportView): string {
    return eta.render("@report", view);
}

/** A table, escaped cell by cell. */
export function renderTable(table: Table): string {
    return eta.render("@table", table);
}
