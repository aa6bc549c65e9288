// The embedded simulator as the Simulator view shows it: its live state
// (GET /api/simulator/state?live=true), read while the view is open — at once after wire
// exchanges (every change of its queue or sessions makes one: createcon.do, a callback), and
// every POLL_MS for what changes without one (another client's /sim/* call). Waits and the
// clock tick on between reads.
import type { SimState } from "./generated/SimState";
import { app } from "./state.svelte";
import { toasts } from "./toasts.svelte";
import { ApiError } from "./transport";

const POLL_MS = 2000;
const TICK_MS = 1000;

class Simulator {
  state = $state.raw<SimState | null>(null);
  /** When `state` was read (Date.now()). */
  readAt = $state(0);
  /** Date.now(), every TICK_MS while the view is open: waits and the clock move on with it. */
  now = $state(Date.now());
  /** The API has no embedded simulator (a real webchat). */
  missing = $state(false);
  #reads = 0;
  #inFlight = false;
  #again = false;

  /** Reads the state now, unless a read is under way (then once more after it). */
  refresh(): void {
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = true;
    void this.#read().finally(() => {
      this.#inFlight = false;
      if (this.#again) {
        this.#again = false;
        this.refresh();
      }
    });
  }

  async #read(): Promise<void> {
    const mine = ++this.#reads;
    try {
      const state = await app.client.simState();
      if (mine === this.#reads) this.#set(state);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) this.missing = true;
      // Otherwise the next read tries again: the engine may be away for a moment.
    }
  }

  #set(state: SimState): void {
    this.state = state;
    this.readAt = Date.now();
    this.now = this.readAt;
    this.missing = false;
  }

  /** Runs a control that answers the live state, and shows it; false when it was refused (a toast says why). */
  async change(control: () => Promise<SimState>): Promise<boolean> {
    const state = await toasts.guard(control);
    if (state) {
      this.#reads++;
      this.#set(state);
    }
    return state !== undefined;
  }

  /** Runs a control that answers something else, then reads the state afresh; a refusal becomes a toast. */
  async act<T>(control: () => Promise<T>): Promise<T | undefined> {
    const answer = await toasts.guard(control);
    this.refresh();
    return answer;
  }

  /** Keeps the state current until the returned function is called. */
  start(): () => void {
    this.refresh();
    const poll = setInterval(() => {
      if (document.visibilityState === "visible") this.refresh();
    }, POLL_MS);
    const tick = setInterval(() => (this.now = Date.now()), TICK_MS);
    const unfollow = app.onExchanges(() => this.refresh());
    return () => {
      clearInterval(poll);
      clearInterval(tick);
      unfollow();
    };
  }

  /** Milliseconds since the state was read (0 when the simulator's clock is stopped). */
  get elapsed(): number {
    return this.state?.clock?.frozen ? 0 : Math.max(0, this.now - this.readAt);
  }
}

export const simulator = new Simulator();

/** `m:ss` (or `h:mm:ss`) of a duration. */
export function duration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** The wall time of `ms` in a zone `zoneMinutes` east of UTC: `yyyy-MM-dd HH:mm:ss`. */
export function wallTime(ms: number, zoneMinutes: number): string {
  return new Date(ms + zoneMinutes * 60_000).toISOString().slice(0, 19).replace("T", " ");
}
