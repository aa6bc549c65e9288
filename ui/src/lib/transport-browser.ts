import type { EngineEvent } from "./generated/EngineEvent";
import type { Media } from "./generated/Media";
import type { MediaKind } from "./generated/MediaKind";
import { apiErrorFrom, type EventHandlers, type Method, type Saved, type Transport } from "./transport";

const TOKEN_KEY = "wxsim.token";

/**
 * Takes `#token=…` from the address into sessionStorage and out of the visible URL; the
 * rest of the fragment (a page: `#/desk&token=…`) stays.
 */
export function adoptToken(): string | null {
  const match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    const rest = location.hash.replace(/^#/, "").replace(/(^|&)token=[^&]+/, "").replace(/^&/, "");
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** The file name of a `content-disposition: attachment; filename="…"` header. */
function dispositionName(header: string | null): string | null {
  return /filename="([^"]+)"/.exec(header ?? "")?.[1] ?? null;
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) throw apiErrorFrom(response.status, body);
  return body as T;
}

export function browserTransport(token: string): Transport {
  const auth = { Authorization: `Bearer ${token}` };
  const query = `token=${encodeURIComponent(token)}`;
  return {
    async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
      const init: RequestInit = { method, headers: { ...auth } };
      if (body !== undefined) {
        init.headers = { ...auth, "Content-Type": "application/json" };
        init.body = JSON.stringify(body);
      }
      return answer<T>(await fetch(path, init));
    },
    async text(path: string): Promise<string> {
      const response = await fetch(path, { headers: auth });
      if (!response.ok) await answer<never>(response);
      return response.text();
    },
    upload(kind: MediaKind, name: string, bytes: ArrayBuffer): Promise<Media> {
      return this.postBytes<Media>(`/api/media?kind=${kind}&name=${encodeURIComponent(name)}`, bytes);
    },
    async postBytes<T>(path: string, bytes: ArrayBuffer): Promise<T> {
      const response = await fetch(path, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/octet-stream" },
        body: bytes,
      });
      return answer<T>(response);
    },
    subscribe(handlers: EventHandlers): () => void {
      const source = new EventSource(`/api/events?${query}`);
      source.addEventListener("engine", (e) => handlers.event(JSON.parse(e.data) as EngineEvent));
      source.addEventListener("lagged", () => handlers.reload());
      // The server subscribes before it opens the stream: a load after "open" misses nothing,
      // while one answered before it (the first, or across a drop) may have.
      source.addEventListener("open", () => {
        handlers.connection(true);
        handlers.reload();
      });
      source.addEventListener("error", () => handlers.connection(false));
      return () => source.close();
    },
    watch(): Promise<void> {
      return Promise.resolve();
    },
    mediaSrc(mediaId: string): Promise<string> {
      return Promise.resolve(`/api/media/${encodeURIComponent(mediaId)}?${query}`);
    },
    async saveExport(path: string, name: string): Promise<Saved> {
      const response = await fetch(path, { headers: auth });
      if (!response.ok) await answer<never>(response);
      const named = dispositionName(response.headers.get("content-disposition")) ?? name;
      download(named, await response.blob());
      return { download: named };
    },
    saveFile(name: string, bytes: ArrayBuffer, type: string): Promise<Saved> {
      download(name, new Blob([bytes], { type }));
      return Promise.resolve({ download: name });
    },
  };
}
