// Transcripts and search results as HTML, Markdown, JSON or CSV files.
import type { Conversation } from "./generated/Conversation";
import type { Message } from "./generated/Message";
import type { SearchHit } from "./generated/SearchHit";

export type ExportFormat = "html" | "md" | "json" | "csv";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["html", "md", "json", "csv"];

export interface ExportRow {
  time: string;
  customer: string;
  conversation: number;
  who: "customer" | "agent" | "system";
  kind: string;
  text: string;
}

export interface ExportDoc {
  title: string;
  fileStem: string;
  rows: ExportRow[];
  /** The original records, kept whole in JSON exports. */
  source: unknown;
}

const who = (m: Message): ExportRow["who"] =>
  m.direction === "out" ? "customer" : m.direction === "in" ? "agent" : "system";

const row = (m: Message, customer: string): ExportRow => ({
  time: new Date(m.wireTime ?? m.createdAt).toISOString(),
  customer,
  conversation: m.conversationId,
  who: who(m),
  kind: m.kind,
  text: m.text,
});

export function transcriptDoc(c: Conversation, messages: Message[]): ExportDoc {
  return {
    title: `${c.nickname} (${c.openId}) — conversation ${c.id}`,
    fileStem: `wxsim-conversation-${c.id}`,
    rows: messages.map((m) => row(m, c.nickname)),
    source: { conversation: c, messages },
  };
}

export function searchDoc(query: string, hits: SearchHit[]): ExportDoc {
  return {
    title: `Search “${query}” — ${hits.length} hits`,
    fileStem: `wxsim-search-${query.replace(/[^\p{L}\p{N}]+/gu, "_").slice(0, 40) || "all"}`,
    rows: hits.map((h) => row(h.message, h.nickname)),
    source: { query, hits },
  };
}

const COLUMNS: readonly (keyof ExportRow)[] = ["time", "customer", "conversation", "who", "kind", "text"];

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const mdCell = (v: string | number) => String(v).replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");

function toHtml(doc: ExportDoc): string {
  const head = COLUMNS.map((c) => `<th>${c}</th>`).join("");
  const body = doc.rows
    .map((r) => `<tr class="${r.who}">${COLUMNS.map((c) => `<td>${escapeHtml(String(r[c]))}</td>`).join("")}</tr>`)
    .join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(doc.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}tr.agent{background:#f4f8ff}
tr.system{color:#777;font-size:12px}</style></head>
<body><h1>${escapeHtml(doc.title)}</h1>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></body></html>
`;
}

function toMarkdown(doc: ExportDoc): string {
  const lines = [
    `# ${doc.title}`,
    "",
    `| ${COLUMNS.join(" | ")} |`,
    `| ${COLUMNS.map(() => "---").join(" | ")} |`,
    ...doc.rows.map((r) => `| ${COLUMNS.map((c) => mdCell(r[c])).join(" | ")} |`),
  ];
  return lines.join("\n") + "\n";
}

const toCsv = (doc: ExportDoc) =>
  [COLUMNS.join(","), ...doc.rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(","))].join("\r\n") + "\r\n";

const toJson = (doc: ExportDoc) => JSON.stringify(doc.source, null, 2) + "\n";

const RENDER: Record<ExportFormat, { mime: string; render: (d: ExportDoc) => string }> = {
  html: { mime: "text/html", render: toHtml },
  md: { mime: "text/markdown", render: toMarkdown },
  json: { mime: "application/json", render: toJson },
  csv: { mime: "text/csv", render: toCsv },
};

export function renderExport(doc: ExportDoc, format: ExportFormat): { name: string; mime: string; contents: string } {
  const { mime, render } = RENDER[format];
  return { name: `${doc.fileStem}.${format}`, mime, contents: render(doc) };
}
