// Listener faults (crates/engine/src/faults.rs): the callback paths they apply to and a
// one-line description of each.
import { resultMeaning } from "./codes";
import { OPERATIONS } from "./generated/codes";
import type { FaultAction } from "./generated/FaultAction";
import { t, type Lang } from "./i18n.svelte";

/** The callback paths a fault can target, then `*` (every callback). */
export const FAULT_PATHS: readonly string[] = [...OPERATIONS.filter((op) => op.startsWith("/")), "*"];

export type FaultKind = FaultAction["kind"];
export const FAULT_KINDS: readonly FaultKind[] = ["result", "status", "delay", "drop"];

/** The action of `kind` carrying `value` (ignored by `drop`). */
export function faultAction(kind: FaultKind, value: number): FaultAction {
  switch (kind) {
    case "delay":
      return { kind, ms: value };
    case "result":
      return { kind, code: value };
    case "status":
      return { kind, status: value };
    case "drop":
      return { kind };
  }
}

export function describeAction(a: FaultAction, lang: Lang): string {
  switch (a.kind) {
    case "delay":
      return t("faultDescDelay", { ms: a.ms });
    case "result":
      return t("faultDescResult", { code: a.code, name: resultMeaning(a.code, lang).label });
    case "status":
      return t("faultDescStatus", { status: a.status });
    case "drop":
      return t("faultDescDrop");
  }
}
