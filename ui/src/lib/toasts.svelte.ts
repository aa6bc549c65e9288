// Short-lived notices: mostly errors of API calls.
import { ApiError } from "./transport";

export interface Toast {
  id: number;
  text: string;
  error: boolean;
}

class Toasts {
  list = $state<Toast[]>([]);
  #next = 1;

  show(text: string, error = false): void {
    const id = this.#next++;
    this.list.push({ id, text, error });
    setTimeout(() => this.dismiss(id), error ? 8000 : 2500);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((t) => t.id !== id);
  }

  /** Runs an action; a failure becomes an error toast instead of an unhandled rejection. */
  async guard<T>(action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (e) {
      this.show(e instanceof ApiError ? `${e.kind}: ${e.message}` : String(e), true);
      return undefined;
    }
  }
}

export const toasts = new Toasts();
