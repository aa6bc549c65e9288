// A conversation's state in words (i18n keys) and in a chip colour.
import type { ConversationState } from "./generated/ConversationState";
import type { Key } from "./i18n.svelte";

export const STATE_KEY: Record<ConversationState, Key> = {
  requesting: "stateRequesting",
  queued: "stateQueued",
  chatting: "stateChatting",
  closed: "stateClosed",
  rated: "stateRated",
  failed: "stateFailed",
  canceled: "stateCanceled",
  lost: "stateLost",
};

export type Tone = "green" | "amber" | "blue" | "grey" | "red";

export const STATE_TONE: Record<ConversationState, Tone> = {
  requesting: "blue",
  queued: "amber",
  chatting: "green",
  closed: "grey",
  rated: "grey",
  failed: "red",
  canceled: "grey",
  lost: "red",
};

export const isActive = (s: ConversationState | null | undefined): boolean =>
  s === "requesting" || s === "queued" || s === "chatting";
