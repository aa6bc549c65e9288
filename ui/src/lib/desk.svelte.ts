// The agent desk's view of the embedded simulator (GET /api/simulator/desk), for the seat
// this window holds. Followed live by reads that wait for a change (each answers once the
// view differs from the revision shown) while a desk is shown, and for as long as the seat is
// held (so that it stays held while the person looks at another tab); replaced at once by
// the answer of each action. An older view never replaces a newer one (`version`), nor one of
// another seat. Waits tick on between reads.
import type { Api } from "./api";
import type { SimDesk } from "./generated/SimDesk";
import { app } from "./state.svelte";
import { toasts } from "./toasts.svelte";
import { ApiError } from "./transport";

const TICK_MS = 1000;
/** Pauses after failed reads in a row, the last one repeating. */
const RETRY_MS = [250, 500, 1000, 2000] as const;
/** The seat this window holds, kept across reloads (the simulator keeps it held meanwhile). */
const SEAT_KEY = "wxsim.desk.seat";

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class Desk {
  view = $state.raw<SimDesk | null>(null);
  /** The seat this window wants: the view says whether it is held. */
  seat = $state<string | null>(sessionStorage.getItem(SEAT_KEY));
  /** When `view` was read (Date.now()), and Date.now() every TICK_MS: waits run on. */
  readAt = $state(0);
  now = $state(Date.now());
  /** The API has no embedded simulator (a real webchat). */
  missing = $state(false);
  /** An action is under way. */
  busy = $state(false);
  #following = false;
  /** Desks shown now. */
  #shown = 0;
  /** Of those, desks an audience watches (the demo layout): every agent's sessions. */
  #watching = 0;

  get #api(): Api {
    return app.client;
  }

  /** Follows the simulator while a desk is shown (the returned function: it is gone) or the seat held. */
  open(): () => void {
    this.#shown++;
    if (!this.#following) {
      this.#following = true;
      void this.#follow();
    }
    return () => this.#shown--;
  }

  /** `open`, for an audience: with no seat held, the view has every agent's sessions. */
  watch(): () => void {
    this.#watching++;
    const close = this.open();
    return () => {
      this.#watching--;
      close();
    };
  }

  async #follow(): Promise<void> {
    const tick = setInterval(() => (this.now = Date.now()), TICK_MS);
    let failures = 0;
    while (this.#shown > 0 || this.holding) {
      const seat = this.seat;
      try {
        const view = await this.#api.desk(seat, this.view?.revision, this.#watching > 0);
        failures = 0;
        if (seat === this.seat) this.#show(view);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          this.missing = true;
          break;
        }
        await pause(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)] ?? 0);
      }
    }
    clearInterval(tick);
    this.#following = false;
  }

  #show(view: SimDesk): void {
    if (this.view && view.version < this.view.version && view.seat === this.view.seat) return;
    this.view = view;
    this.readAt = Date.now();
    this.now = this.readAt;
    this.missing = false;
  }

  /** Milliseconds since the view was read (0 when the simulator's clock is stopped). */
  get elapsed(): number {
    return this.view?.clock.frozen ? 0 : Math.max(0, this.now - this.readAt);
  }

  /** Runs an action of the seat and shows its answer; false when refused (a toast says why). */
  async act(action: (api: Api, seat: string) => Promise<SimDesk>): Promise<boolean> {
    const seat = this.seat;
    if (!seat) return false;
    this.busy = true;
    const view = await toasts.guard(() => action(this.#api, seat)).finally(() => (this.busy = false));
    if (view && seat === this.seat) this.#show(view);
    return view !== undefined;
  }

  /** The person has read a session (quietly: no action is under way for it). */
  async markRead(sessionId: number): Promise<void> {
    const seat = this.seat;
    if (!seat) return;
    const view = await toasts.guard(() => this.#api.deskRead(seat, sessionId));
    if (view && seat === this.seat) this.#show(view);
  }

  /** Takes a seat (leaving the one held before). */
  async take(agentId: string): Promise<void> {
    const before = this.seat;
    this.#remember(agentId);
    const taken = await this.act((api, seat) => api.deskSeat(seat));
    if (!taken) this.#remember(before);
    else if (before && before !== agentId) await toasts.guard(() => this.#api.deskRelease(before));
  }

  /** Leaves the seat: the script takes it over. */
  async leave(): Promise<void> {
    await this.act((api, seat) => api.deskRelease(seat));
    this.#remember(null);
  }

  #remember(seat: string | null): void {
    this.seat = seat;
    if (seat) sessionStorage.setItem(SEAT_KEY, seat);
    else sessionStorage.removeItem(SEAT_KEY);
  }

  /** The seat is held by this window's person. */
  get holding(): boolean {
    return this.seat !== null && this.view?.seat === this.seat;
  }
}

export const desk = new Desk();
