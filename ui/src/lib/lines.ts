// A transcript's system lines in the reader's language, from the code and parameters the
// engine stores (crates/engine/src/system_line.rs); lines stored before that keep their text.
// What webchat itself said (a status's or refusal's message) is quoted as it came.
import { resultMeaning, statusMeaning } from "./codes";
import { describeAction } from "./faults";
import { REQUEST_STATUSES } from "./generated/codes";
import type { Message } from "./generated/Message";
import type { SystemLine } from "./generated/SystemLine";
import { i18n, t } from "./i18n.svelte";

export interface LineText {
  text: string;
  /** webchat's own words, shown verbatim. */
  quoted: string | null;
}

const said = (message: string): string | null => (message.trim() === "" ? null : message);

function refusal(key: "lineRoutingFailed" | "lineTransferRefused", code: number, message: string): LineText {
  return { text: t(key, { code, label: resultMeaning(code, i18n.lang).label }), quoted: said(message) };
}

function lineText(line: SystemLine): LineText {
  const plain = (text: string): LineText => ({ text, quoted: null });
  const ask = (a: "chat" | "handOver") => t(a === "chat" ? "askChat" : "askHandOver");
  switch (line.code) {
    case "chatRequested":
      return plain(t("lineChatRequested"));
    case "handOverRequested":
      return plain(t("lineHandOverRequested"));
    case "requestAnswered":
      return plain(t("lineRequestAnswered", { endpoint: line.endpoint, queue: line.queueLength ?? "?" }));
    case "requestRefused": {
      const label = resultMeaning(line.result, i18n.lang).label;
      return { text: t("lineRequestRefused", { ask: ask(line.ask), code: line.result, label }), quoted: said(line.message) };
    }
    case "requestFailed":
      return plain(t("lineRequestFailed", { ask: ask(line.ask), error: line.error }));
    case "routingFailed":
      return refusal("lineRoutingFailed", line.result, line.message);
    case "accepted":
      return plain(t("lineAccepted", { agent: line.agent, session: line.session }));
    case "requestStatus": {
      const label = statusMeaning(line.status, i18n.lang).label;
      // A message that only repeats the status's own label says nothing more.
      const entry = REQUEST_STATUSES.find((e) => e.code === line.status);
      const repeats = entry !== undefined && (line.message === entry.en || line.message === entry.zh);
      return { text: t("lineRequestStatus", { status: line.status, label }), quoted: repeats ? null : said(line.message) };
    }
    case "agents":
      return plain(t("lineAgents", { names: line.names.join(i18n.lang === "zh" ? "、" : ", ") }));
    case "ratingAsked":
      return plain(t("lineRatingAsked"));
    case "rated":
      return { text: t("lineRated", { rating: line.ratingId }), quoted: said(line.comment) };
    case "closedByAgent":
      return plain(t("lineClosedByAgent"));
    case "closedByCustomer":
      return plain(t("lineClosedByCustomer"));
    case "requestCancelled":
      return plain(t("lineRequestCancelled"));
    case "transferRequested":
      return plain(t("lineTransferRequested"));
    case "transferRefused":
      return refusal("lineTransferRefused", line.result, line.message);
    case "sessionLost":
      return plain(t("lineSessionLost", { session: line.session }));
    case "faultInjected": {
      const params = { action: describeAction(line.action, i18n.lang), path: line.path };
      return plain(t(line.action.kind === "delay" ? "lineFaultApplied" : "lineFaultInjected", params));
    }
  }
}

/** What a system line says, in the UI's language. */
export const systemText = (m: Message): LineText => (m.line ? lineText(m.line) : { text: m.text, quoted: null });
