// How the UI reaches the engine: over HTTP in a browser (`wxsim serve`), over Tauri IPC in
// the desktop window. Both speak the same routes and carry the same JSON (see README.md).
import type { EngineEvent } from "./generated/EngineEvent";
import type { EventWatch } from "./generated/EventWatch";
import type { Media } from "./generated/Media";
import type { MediaKind } from "./generated/MediaKind";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

/** An error answer of the API: `{error: {kind, message, ...}}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export interface EventHandlers {
  event(e: EngineEvent): void;
  /** Events may have been missed: reload the state. */
  reload(): void;
  connection(connected: boolean): void;
}

export interface Transport {
  request<T>(method: Method, path: string, body?: unknown): Promise<T>;
  /** What `GET path` answers, as text (a route that answers other than JSON). */
  text(path: string): Promise<string>;
  upload(kind: MediaKind, name: string, bytes: ArrayBuffer): Promise<Media>;
  /** POSTs raw bytes to an API route that takes them (a desk picture); answers its JSON. */
  postBytes<T>(path: string, bytes: ArrayBuffer): Promise<T>;
  /** Starts the event stream; the returned function stops it. */
  subscribe(handlers: EventHandlers): () => void;
  /**
   * Says what the page shows, so that the stream may leave out what it would drop; settled
   * once events are judged by it. (The browser's stream sends everything.)
   */
  watch(watch: EventWatch): Promise<void>;
  /** An address an <img>, <audio> or <video> can load the media from. */
  mediaSrc(mediaId: string): Promise<string>;
  /**
   * Saves what `path` (an export route) answers: a download named by the answer's
   * content-disposition, or the desktop's save dialog offering `name`. Null when the
   * dialog was cancelled.
   */
  saveExport(path: string, name: string): Promise<Saved | null>;
  /** Saves bytes made in the page as `name`: a download, or the desktop's save dialog. */
  saveFile(name: string, bytes: ArrayBuffer, type: string): Promise<Saved | null>;
}

/** Where an export went: the file chosen in the desktop's dialog, or a browser download. */
export type Saved = { file: string } | { download: string };

export function apiErrorFrom(status: number, body: unknown): ApiError {
  const error = (body as { error?: { kind?: string; message?: string } } | null)?.error;
  return new ApiError(status, error?.kind ?? "http", error?.message ?? `HTTP ${status}`);
}
