// How the WeChat app lays out a chat (components/wechat): which system lines the customer sees
// and in what words, where a time stamp goes and how it reads, how wide a voice bubble is.
import { statusMeaning } from "./codes";
import type { Message } from "./generated/Message";
import type { SystemLine } from "./generated/SystemLine";
import { i18n, t } from "./i18n.svelte";
import { systemText, type LineText } from "./lines";

/** System lines about the wire, not the chat: a customer's phone never shows these. */
const BACKSTAGE: readonly SystemLine["code"][] = ["requestAnswered", "faultInjected"];

/** What the customer's phone shows of a transcript. */
export const onPhone = (messages: Message[]): Message[] =>
  messages.filter((m) => !(m.line && BACKSTAGE.includes(m.line.code)));

/** A system line as the phone words it: no ids or code numbers, an agent's arrival as WeChat announces it. */
export function phoneLine(m: Message): LineText {
  const line = m.line;
  if (line?.code === "accepted") return { text: t("wxAccepted", { agent: line.agent }), quoted: null };
  if (line?.code === "requestStatus") return { ...systemText(m), text: statusMeaning(line.status, i18n.lang).label };
  return systemText(m);
}

/** WeChat puts a time over a message that comes this long after the one before. */
const STAMP_GAP_MS = 5 * 60_000;

/** When a message happened, as the phone saw it. */
export const sentAt = (m: Message): number => m.wireTime ?? m.createdAt;

/** Message id → the time line shown above it (the first message, then after every gap). */
export function stamps(messages: Message[], now = Date.now()): Map<number, string> {
  const out = new Map<number, string>();
  let last = -Infinity;
  for (const m of messages) {
    const at = sentAt(m);
    if (at - last >= STAMP_GAP_MS) out.set(m.id, stamp(at, now));
    last = Math.max(last, at);
  }
  return out;
}

/** Today "14:05"; yesterday "昨天 14:05" / "Yesterday 14:05"; before that the date too. */
export function stamp(at: number, now = Date.now()): string {
  const locale = i18n.lang === "zh" ? "zh-CN" : "en-GB";
  const clock = new Date(at).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", hour12: false });
  const day = (ms: number) => new Date(ms).setHours(0, 0, 0, 0);
  const daysAgo = Math.round((day(now) - day(at)) / 86_400_000);
  if (daysAgo === 0) return clock;
  if (daysAgo === 1) return `${t("wxYesterday")} ${clock}`;
  const date = new Date(at).toLocaleDateString(locale, { year: "numeric", month: "short", day: "numeric" });
  return `${date} ${clock}`;
}

/** A voice message's length as WeChat writes it: whole seconds, 1 to 60, e.g. `5″`. */
export function voiceSeconds(duration: number): number {
  return Number.isFinite(duration) ? Math.min(60, Math.max(1, Math.round(duration))) : 1;
}

/** A voice bubble's width in px: WeChat's grows with the length, fast at first. */
export const voiceWidth = (seconds: number): number => Math.round(72 + 128 * Math.sqrt((seconds - 1) / 59));

/** The site a link card names under its title. */
export function host(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname.replace(/^www\./, "") : url;
}
