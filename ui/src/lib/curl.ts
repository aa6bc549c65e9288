// An exchange as a curl command a tester can paste into a bug report.
import type { Exchange } from "./generated/Exchange";

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const SKIPPED = new Set(["host", "content-length", "connection", "accept-encoding"]);

export function toCurl(e: Exchange, listenerBase: string): string {
  const url = /^https?:\/\//.test(e.path) ? e.path : listenerBase.replace(/\/$/, "") + e.path;
  const parts = [`curl -X ${e.method} ${quote(url)}`];
  for (const [name, value] of Object.entries(e.requestHeaders)) {
    if (!SKIPPED.has(name.toLowerCase())) parts.push(`-H ${quote(`${name}: ${value}`)}`);
  }
  if (e.requestBody) parts.push(`--data-raw ${quote(e.requestBody)}`);
  return parts.join(" \\\n  ");
}
