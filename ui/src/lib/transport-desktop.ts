import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { EngineEvent } from "./generated/EngineEvent";
import type { Media } from "./generated/Media";
import type { MediaKind } from "./generated/MediaKind";
import { ApiError, apiErrorFrom, type EventHandlers, type Method, type Transport } from "./transport";

/** The shell throws `{status, error}`; anything else is a failure of the IPC itself. */
function ipcError(thrown: unknown): ApiError {
  const e = thrown as { status?: number; error?: unknown } | null;
  if (typeof e?.status === "number") return apiErrorFrom(e.status, { error: e.error });
  return new ApiError(0, "ipc", String(thrown));
}

async function call<T>(command: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (thrown) {
    throw ipcError(thrown);
  }
}

/** The shell's media scheme; WebView2 (Windows) reaches custom schemes as http://{scheme}.localhost. */
const MEDIA_ORIGIN = navigator.userAgent.includes("Windows")
  ? "http://wxsim-media.localhost/"
  : "wxsim-media://localhost/";

/**
 * The text of an export answer: `api` hands non-JSON answers (html, md, csv) over as their
 * bytes and JSON answers (always an object for exports) parsed.
 */
function exportText(answer: unknown): string {
  if (Array.isArray(answer)) return new TextDecoder().decode(new Uint8Array(answer as number[]));
  return JSON.stringify(answer, null, 2);
}

export function isDesktop(): boolean {
  return "__TAURI_INTERNALS__" in window;
}

export function desktopTransport(): Transport {
  return {
    request<T>(method: Method, path: string, body?: unknown): Promise<T> {
      return call<T>("api", body === undefined ? { method, path } : { method, path, body });
    },
    upload(kind: MediaKind, name: string, bytes: ArrayBuffer): Promise<Media> {
      return call<Media>("upload_media", { kind, name, bytes: Array.from(new Uint8Array(bytes)) });
    },
    subscribe(handlers: EventHandlers): () => void {
      const stops = [
        // The shell sends a frame's worth of events per message.
        listen<EngineEvent[]>("engine", (e) => e.payload.forEach((event) => handlers.event(event))),
        listen<number>("lagged", () => handlers.reload()),
      ];
      handlers.connection(true);
      return () => stops.forEach((stop) => void stop.then((unlisten) => unlisten()));
    },
    mediaSrc(mediaId: string): Promise<string> {
      return Promise.resolve(MEDIA_ORIGIN + encodeURIComponent(mediaId));
    },
    async saveExport(path: string, name: string): Promise<void> {
      const answer = await call<unknown>("api", { method: "GET", path });
      await call<string | null>("save_file", { defaultName: name, contents: exportText(answer) });
    },
  };
}
