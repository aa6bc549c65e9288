// Short-lived notices: mostly errors of API calls. A notice keeps its i18n key, not its text,
// so it reads in the language shown while it is on screen.
import type { Key } from "./i18n.svelte";
import { ApiError } from "./transport";

export interface Toast {
  id: number;
  key: Key;
  params: Record<string, string | number>;
  /** What went wrong, as the API or the browser said it (not translated). */
  detail: string | null;
}

/** Toasts on screen at most: a new one beyond that drops the oldest. */
const MAX_TOASTS = 5;

class Toasts {
  list = $state<Toast[]>([]);
  #next = 1;

  show(key: Key, params: Record<string, string | number> = {}): void {
    this.#add({ id: this.#next++, key, params, detail: null }, 5000);
  }

  /** An error notice: a translated heading over the untranslated detail. */
  fail(detail: string): void {
    this.#add({ id: this.#next++, key: "failedAction", params: {}, detail }, 8000);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((t) => t.id !== id);
  }

  /** Runs an action; a failure becomes an error toast instead of an unhandled rejection. */
  async guard<T>(action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (e) {
      this.fail(e instanceof ApiError ? `${e.kind}: ${e.message}` : String(e));
      return undefined;
    }
  }

  #add(toast: Toast, ms: number): void {
    this.list.push(toast);
    if (this.list.length > MAX_TOASTS) this.list.splice(0, this.list.length - MAX_TOASTS);
    setTimeout(() => this.dismiss(toast.id), ms);
  }
}

export const toasts = new Toasts();
