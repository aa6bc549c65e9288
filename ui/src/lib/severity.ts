// Contract findings' severities, mildest first.
import type { Severity } from "./generated/Severity";

const ORDER: readonly Severity[] = ["info", "warning", "error"];

/** The most severe of `severities` ("info" when there are none). */
export function worst(severities: readonly Severity[]): Severity {
  return severities.reduce<Severity>((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), "info");
}
