// Meanings of the spec's code tables, from the single source in crates/protocol.
import { REQUEST_STATUSES, RESULT_CODES, type CodeEntry } from "./generated/codes";
import type { Lang } from "./i18n.svelte";

export interface CodeMeaning {
  code: number;
  name: string;
  label: string;
  known: boolean;
}

function meaning(table: readonly CodeEntry[], code: number, lang: Lang): CodeMeaning {
  const entry = table.find((e) => e.code === code);
  if (entry) return { code, name: entry.name, label: entry[lang], known: true };
  const label = lang === "zh" ? `未知代码 ${code}` : `unknown code ${code}`;
  return { code, name: "UNKNOWN", label, known: false };
}

export const resultMeaning = (code: number, lang: Lang) => meaning(RESULT_CODES, code, lang);
export const statusMeaning = (code: number, lang: Lang) => meaning(REQUEST_STATUSES, code, lang);
export { REQUEST_STATUSES, RESULT_CODES };
