import { invoke, type InvokeArgs, type InvokeOptions } from "@tauri-apps/api/core";
import type { EventBatch } from "./generated/EventBatch";
import type { EventWatch } from "./generated/EventWatch";
import type { Media } from "./generated/Media";
import type { MediaKind } from "./generated/MediaKind";
import { ApiError, apiErrorFrom, type EventHandlers, type Method, type Saved, type Transport } from "./transport";

/** The shell throws `{status, error}`; anything else is a failure of the IPC itself. */
function ipcError(thrown: unknown): ApiError {
  const e = thrown as { status?: number; error?: unknown } | null;
  if (typeof e?.status === "number") return apiErrorFrom(e.status, { error: e.error });
  return new ApiError(0, "ipc", String(thrown));
}

async function call<T>(command: string, args: InvokeArgs, options?: InvokeOptions): Promise<T> {
  try {
    return await invoke<T>(command, args, options);
  } catch (thrown) {
    throw ipcError(thrown);
  }
}

/** Pauses after failed polls in a row, the last one repeating. */
const RETRY_MS = [250, 500, 1000, 2000] as const;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Pulls engine events until `stopped()`: each poll answers once events are queued. Pulled
 * rather than `listen`ed, because Tauri delivers an emitted event by evaluating a script in
 * the page and WebKit's web process kept what a flood of those cost; an invoke's answer
 * arrives over the IPC protocol.
 */
async function pollEvents(handlers: EventHandlers, stopped: () => boolean): Promise<void> {
  let failures = 0;
  while (!stopped()) {
    let batch: EventBatch;
    try {
      batch = await invoke<EventBatch>("next_events");
    } catch {
      if (stopped()) return;
      handlers.connection(false);
      await pause(RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 0);
      failures++;
      continue;
    }
    if (stopped()) return;
    if (failures > 0) {
      failures = 0;
      handlers.connection(true);
      // A failed poll may have taken events with it.
      handlers.reload();
    }
    if (batch.lagged) handlers.reload();
    for (const event of batch.events) {
      // A handler's bug must not end the stream (as with an EventSource listener's).
      try {
        handlers.event(event);
      } catch (e) {
        reportError(e);
      }
    }
  }
}

/** The shell's media scheme; WebView2 (Windows) reaches custom schemes as http://{scheme}.localhost. */
const MEDIA_ORIGIN = navigator.userAgent.includes("Windows")
  ? "http://wxsim-media.localhost/"
  : "wxsim-media://localhost/";

/**
 * Files cross as an invoke's raw body (an ArrayBuffer as it is, where JSON would spell each
 * byte as a number) and what they are in headers; a name percent-encoded, as a header value
 * cannot carry every name.
 */
const named = (name: string) => ({ "x-wxsim-name": encodeURIComponent(name) });

export function isDesktop(): boolean {
  return "__TAURI_INTERNALS__" in window;
}

/** Whether `bytes` are a zip (its local file header's signature). */
function isZip(bytes: ArrayBuffer): boolean {
  const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  return head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** Asks where to save `bytes` (offering `name`) and writes them there; null when cancelled. */
async function saveFile(name: string, bytes: ArrayBuffer): Promise<Saved | null> {
  const file = await call<string | null>("save_file", bytes, { headers: named(name) });
  return file === null ? null : { file };
}

export function desktopTransport(): Transport {
  return {
    request<T>(method: Method, path: string, body?: unknown): Promise<T> {
      return call<T>("api", body === undefined ? { method, path } : { method, path, body });
    },
    async text(path: string): Promise<string> {
      return new TextDecoder().decode(await call<ArrayBuffer>("api_bytes", { path }));
    },
    upload(kind: MediaKind, name: string, bytes: ArrayBuffer): Promise<Media> {
      return call<Media>("upload_media", bytes, { headers: { "x-wxsim-kind": kind, ...named(name) } });
    },
    postBytes<T>(path: string, bytes: ArrayBuffer): Promise<T> {
      return call<T>("api_upload", bytes, { headers: { "x-wxsim-path": encodeURIComponent(path) } });
    },
    subscribe(handlers: EventHandlers): () => void {
      let stopped = false;
      handlers.connection(true);
      void pollEvents(handlers, () => stopped);
      // A poll under way cannot be withdrawn: its answer is dropped, and the shell ends it
      // as soon as a newer subscription polls.
      return () => {
        stopped = true;
      };
    },
    mediaSrc(mediaId: string): Promise<string> {
      return Promise.resolve(MEDIA_ORIGIN + encodeURIComponent(mediaId));
    },
    watch(watch: EventWatch): Promise<void> {
      return call<void>("watch_events", { watch });
    },
    async saveExport(path: string, name: string): Promise<Saved | null> {
      // The export's bytes as the server rendered them, raw both ways. An export with files
      // beside it comes as a zip (the browser learns that from its content-disposition).
      const bytes = await call<ArrayBuffer>("api_bytes", { path });
      return saveFile(isZip(bytes) ? name.replace(/\.[^.]+$/, ".zip") : name, bytes);
    },
    saveFile(name: string, bytes: ArrayBuffer): Promise<Saved | null> {
      return saveFile(name, bytes);
    },
  };
}
