// The contract checker's rules in the UI's language (crates/protocol/src/check.rs RULES).
import { RULES } from "./generated/codes";
import type { Severity } from "./generated/Severity";
import { i18n, t } from "./i18n.svelte";

/** What rule `name` checks, in the UI's language; an unknown rule by its name. */
export function ruleChecks(name: string): string {
  const rule = RULES.find((r) => r.name === name);
  return rule ? rule[i18n.lang] : name;
}

export function severityLabel(s: Severity): string {
  return t(s === "error" ? "severityError" : s === "warning" ? "severityWarning" : "severityInfo");
}
