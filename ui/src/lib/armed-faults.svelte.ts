// The listener faults armed now (GET/PUT /api/faults), shared by the top bar's badge and the
// Faults view. No engine event announces them, so the list is read when the page starts, taken
// from what a PUT answers, read again after incoming callbacks while any fault is armed (a
// callback may use one up), when the page comes back into view, and every POLL_MS (another
// window or an API client may arm or remove one).
import type { ListenerFault } from "./generated/ListenerFault";
import { app } from "./state.svelte";
import { toasts } from "./toasts.svelte";

const POLL_MS = 5000;

class ArmedFaults {
  list = $state.raw<ListenerFault[]>([]);
  #reads = 0;
  #writes = 0;
  #unfollow: (() => void) | null = null;

  /** Reads the list now; a failure shows as a toast. */
  load(): Promise<void> {
    return this.#read(() => toasts.guard(() => app.client.faults()));
  }

  /** Arms exactly `faults`; rejects with the API's error when it refuses them. */
  async put(faults: ListenerFault[]): Promise<void> {
    const mine = ++this.#writes;
    const armed = await app.client.setFaults(faults);
    if (mine === this.#writes) this.#set(armed);
  }

  /** Keeps the list current until the returned function is called. */
  start(): () => void {
    const refresh = () => {
      // In the background a failure (the engine away) just waits for the next try.
      if (document.visibilityState === "visible") void this.#read(() => app.client.faults().catch(() => undefined));
    };
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    document.addEventListener("visibilitychange", refresh);
    this.#follow = refresh;
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", refresh);
      this.#follow = null;
      this.#unfollow?.();
      this.#unfollow = null;
    };
  }

  /** What reads again after incoming callbacks while a fault is armed (null: stopped). */
  #follow: (() => void) | null = null;

  /** Lands only when no read or write started after it: an older answer never wins. */
  async #read(get: () => Promise<ListenerFault[] | undefined>): Promise<void> {
    const mine = ++this.#reads;
    const writes = this.#writes;
    const armed = await get();
    if (armed && mine === this.#reads && writes === this.#writes) this.#set(armed);
  }

  #set(armed: ListenerFault[]): void {
    this.list = armed;
    const follow = this.#follow;
    if (armed.length > 0 && follow && !this.#unfollow) {
      this.#unfollow = app.onExchanges((batch) => {
        if (batch.some((e) => e.direction === "in")) follow();
      });
    } else if (armed.length === 0 && this.#unfollow) {
      this.#unfollow();
      this.#unfollow = null;
    }
  }
}

export const armedFaults = new ArmedFaults();
