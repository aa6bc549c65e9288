import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { EngineEvent } from "./generated/EngineEvent";
import type { Media } from "./generated/Media";
import type { MediaKind } from "./generated/MediaKind";
import { ApiError, apiErrorFrom, download, type EventHandlers, type Method, type Transport } from "./transport";

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
      const stop = listen<EngineEvent>("engine", (e) => handlers.event(e.payload));
      handlers.connection(true);
      return () => void stop.then((unlisten) => unlisten());
    },
    async mediaSrc(mediaId: string): Promise<string> {
      const path = `/api/media/${encodeURIComponent(mediaId)}`;
      const bytes = await call<number[]>("api", { method: "GET", path });
      return URL.createObjectURL(new Blob([new Uint8Array(bytes)]));
    },
    async save(name: string, mime: string, contents: string): Promise<void> {
      try {
        await invoke("save_file", { name, contents });
      } catch {
        download(name, mime, contents);
      }
    },
  };
}
