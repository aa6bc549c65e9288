// What the UI knows of the engine, kept current by its event stream.
import type { Api, Info } from "./api";
import type { Conversation } from "./generated/Conversation";
import type { Customer } from "./generated/Customer";
import type { EngineEvent } from "./generated/EngineEvent";
import type { EventWatch } from "./generated/EventWatch";
import type { Exchange } from "./generated/Exchange";
import type { Message } from "./generated/Message";
import type { Profile } from "./generated/Profile";
import type { Typist } from "./generated/Typist";
import { Latest } from "./latest.svelte";
import { allowImagesFrom } from "./sanitize";
import { toasts } from "./toasts.svelte";

export type Tab = "chat" | "desk" | "demo" | "wire" | "faults" | "simulator" | "contract" | "history" | "settings";

/** What a link elsewhere asks the wire inspector to show. */
export interface WireFocus {
  conversationId?: number;
  withFindings?: boolean;
  exchange?: Exchange;
}

export interface Pulse {
  alive: boolean;
  at: number;
}

/** Replaces the item with the same id, or appends it: in place, no copy of the list. */
function upsert<T extends { id: number }>(list: T[], item: T): void {
  // New items come last, so look from the end.
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i]!.id === item.id) {
      list[i] = item;
      return;
    }
  }
  list.push(item);
}

/**
 * True when `c` is an older copy of the conversation than `kept`: a load answered before a
 * change, or an event published late. Every write to a conversation raises its version.
 */
function older(c: Conversation, kept: Conversation | undefined): boolean {
  return kept !== undefined && c.version < kept.version;
}

/** Engine events wait here until the next frame, then apply as one batch (one render). */
const FLUSH_FALLBACK_MS = 250;

class AppState {
  api = $state<Api | null>(null);
  info = $state<Info | null>(null);
  profile = $state<Profile | null>(null);
  /** Every stored profile, the active one included. */
  profiles = $state<Profile[]>([]);
  /**
   * Replaced whole, never changed in place: a flood of callbacks changes every customer's
   * unread count many times a second, and deep-reactive copies of each change piled up in
   * WebKit's web process (≈ 190 → 390–570 MB over 100,000 callbacks).
   */
  customers = $state.raw<Customer[]>([]);
  selectedId = $state<number | null>(null);
  /** Only the open conversation's: others are dropped on a switch. */
  conversations = $state<Record<number, Conversation>>({});
  /** Only the open conversation's: others are dropped on a switch, their events only touch the customer row. */
  messages = $state<Record<number, Message[]>>({});
  pulses = $state<Record<number, Pulse>>({});
  /** Who is writing in each customer's chat now (`wxsim demo` says so), by customer id. */
  typing = $state.raw<Partial<Record<number, Typist>>>({});
  /** Conversation loads in flight. */
  loadingConversations = $state(0);
  connected = $state(false);
  tab = $state<Tab>("chat");
  /** Taken by the wire inspector when it opens. */
  wireFocus = $state<WireFocus | null>(null);
  /** Bumped to ask the history view to focus its search box. */
  searchRequests = $state(0);
  #exchangeListeners = new Set<(batch: Exchange[]) => void>();
  #reloads = new Latest();
  /** One per load in flight: the events applied while it waits for its answer. */
  #tapes = new Set<EngineEvent[]>();
  /** What the page shows, and what the event stream was told of it (null: unknown). */
  #view: EventWatch = { conversation: null, exchanges: false };
  #told: EventWatch | null = null;
  /** Settles once the stream was told; loads wait for it. */
  #watched: Promise<void> = Promise.resolve();
  #queue: EngineEvent[] = [];
  #frame: number | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  selected = $derived(this.customers.find((c) => c.id === this.selectedId) ?? null);
  conversation = $derived(
    this.selected?.conversationId != null ? (this.conversations[this.selected.conversationId] ?? null) : null,
  );

  get client(): Api {
    if (!this.api) throw new Error("not connected");
    return this.api;
  }

  async start(api: Api): Promise<void> {
    this.api = api;
    // The stream may still follow what a page before a reload showed.
    this.#watchFor({});
    await this.reload();
  }

  /**
   * Reads everything again. Reloads overlap (the start's, the stream's open, a lag): only the
   * newest lands, with the changes that arrived while it was in flight replayed on top.
   */
  async reload(): Promise<void> {
    const loaded = await this.#reloads.run(() =>
      this.during(() =>
        Promise.all([this.client.customers(), this.client.profile(), this.client.info(), this.client.profiles()]),
      ),
    );
    if (loaded === undefined) return;
    const { answer, meanwhile } = loaded;
    const [customers, profile, info, profiles] = answer;
    this.#showProfiles(info, profiles);
    this.customers = customers;
    this.profile = profile;
    this.putCustomers(meanwhile.flatMap((e) => (e.type === "customerChanged" ? [e.customer] : [])));
    for (const e of meanwhile) if (e.type === "profileChanged") this.profile = e.profile;
    if (this.selected?.conversationId != null) await this.loadConversation(this.selected.conversationId);
  }

  /** The stored profiles, and `/api/info`, whose webchat address follows the active one. */
  async #loadProfiles(): Promise<void> {
    const [info, profiles] = await Promise.all([this.client.info(), this.client.profiles()]);
    this.#showProfiles(info, profiles);
  }

  #showProfiles(info: Info, profiles: Profile[]): void {
    allowImagesFrom(info.webchat);
    this.info = info;
    this.profiles = profiles;
  }

  /** The conversation the open customer is in, if any. */
  get #openId(): number | null {
    return this.selected?.conversationId ?? null;
  }

  async loadConversation(id: number): Promise<void> {
    this.#watchFor({ conversation: id });
    this.loadingConversations++;
    const { answer, meanwhile } = await this.during(() =>
      Promise.all([this.client.conversation(id), this.client.messages(id)]),
    ).finally(() => this.loadingConversations--);
    // Another customer may have been opened meanwhile: keep only what is on screen.
    if (this.#openId !== id) return;
    const [conversation, messages] = answer;
    // A change applied while the answer was on its way is newer than the answer: keep it.
    const kept = this.conversations[id];
    this.conversations = { [id]: kept && older(conversation, kept) ? kept : conversation };
    this.messages = { [id]: messages };
    // Messages carry no version: replay what arrived meanwhile on top of the list.
    for (const e of meanwhile) if (e.type === "messageAdded" || e.type === "messageUpdated") this.#apply(e);
  }

  /**
   * Runs a load, and gives with its answer the events applied while it was in flight. The
   * answer may have been read before some of them: replaying them on top, in order, leaves
   * what is newest (every later change brings an event of its own).
   */
  async during<T>(load: () => Promise<T>): Promise<{ answer: T; meanwhile: EngineEvent[] }> {
    const tape: EngineEvent[] = [];
    this.#tapes.add(tape);
    try {
      // Once the stream sends what this load is for, the answer cannot miss a change.
      await this.#watched;
      return { answer: await load(), meanwhile: tape };
    } finally {
      this.#tapes.delete(tape);
    }
  }

  /** Tells the event stream what the page now shows, unless it knows already. */
  #watchFor(change: Partial<EventWatch>): void {
    const view = { ...this.#view, ...change };
    this.#view = view;
    const told = this.#told;
    if (told && told.conversation === view.conversation && told.exchanges === view.exchanges) return;
    this.#told = view;
    this.#watched = this.client.watch(view).catch((e: unknown) => {
      this.#told = null; // the next change of view tells it again
      toasts.fail(String(e));
    });
  }

  /** Drops what is kept of conversations other than the open one. */
  #forgetClosed(): void {
    const open = this.#openId;
    const keep = <T,>(record: Record<number, T>): Record<number, T> =>
      open != null && record[open] !== undefined ? { [open]: record[open] } : {};
    if (Object.keys(this.messages).some((k) => Number(k) !== open)) this.messages = keep(this.messages);
    if (Object.keys(this.conversations).some((k) => Number(k) !== open)) this.conversations = keep(this.conversations);
    this.#watchFor({ conversation: open });
  }

  /** Opens a customer's chat, in the Chat tab unless `stay` (the demo layout follows the chat it shows). */
  select(id: number, stay = false): void {
    this.selectedId = id;
    if (!stay) this.tab = "chat";
    this.#forgetClosed();
    const customer = this.selected;
    if (!customer) return;
    if (customer.conversationId != null) void toasts.guard(() => this.loadConversation(customer.conversationId!));
    if (customer.unread > 0) void toasts.guard(() => this.client.markRead(customer.id));
  }

  /** Alt+Up / Alt+Down: the previous or next customer of the list. */
  step(delta: number): void {
    if (this.customers.length === 0) return;
    const at = this.customers.findIndex((c) => c.id === this.selectedId);
    const next = at < 0 ? 0 : (at + delta + this.customers.length) % this.customers.length;
    this.select(this.customers[next]!.id);
  }

  showExchanges(focus: WireFocus): void {
    this.wireFocus = focus;
    this.tab = "wire";
  }

  /** Exchanges arrive in batches, oldest first: at most one batch a frame. */
  onExchanges(listener: (batch: Exchange[]) => void): () => void {
    this.#exchangeListeners.add(listener);
    this.#watchFor({ exchanges: true });
    return () => {
      this.#exchangeListeners.delete(listener);
      this.#watchFor({ exchanges: this.#exchangeListeners.size > 0 });
    };
  }

  /**
   * Queues an engine event; the queue applies on the next animation frame (or after
   * FLUSH_FALLBACK_MS when frames do not come, as in a hidden tab), so a flood of events
   * costs one update and one render per frame.
   */
  handle(e: EngineEvent): void {
    this.#queue.push(e);
    if (this.#frame === null && typeof requestAnimationFrame === "function") {
      this.#frame = requestAnimationFrame(() => this.flush());
    }
    this.#timer ??= setTimeout(() => this.flush(), FLUSH_FALLBACK_MS);
  }

  /** Applies the queued events now. */
  flush(): void {
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#frame = null;
    this.#timer = null;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    for (const tape of this.#tapes) for (const e of batch) tape.push(e);
    const exchanges: Exchange[] = [];
    const customers: Customer[] = [];
    let readIn = false;
    for (const e of batch) {
      if (e.type === "exchange") exchanges.push(e.exchange);
      else if (e.type === "customerChanged") customers.push(e.customer);
      else if (this.#apply(e)) readIn = true;
    }
    if (customers.length > 0) this.#customersChanged(customers);
    if (exchanges.length > 0) for (const listener of this.#exchangeListeners) listener(exchanges);
    const customer = this.selected;
    if (readIn && customer && this.tab === "chat" && document.visibilityState === "visible") {
      void toasts.guard(() => this.client.markRead(customer.id));
    }
  }

  /** Puts `changed` (oldest first) in the customer list: one new list, the latest of each. */
  putCustomers(changed: Customer[]): void {
    if (changed.length === 0) return;
    const latest = new Map(changed.map((c) => [c.id, c]));
    const next = this.customers.map((c) => {
      const change = latest.get(c.id);
      latest.delete(c.id);
      return change ?? c;
    });
    this.customers = [...next, ...latest.values()];
  }

  /** A batch's customer changes; the open customer's may open another conversation. */
  #customersChanged(changed: Customer[]): void {
    const wasOpen = this.#openId;
    this.putCustomers(changed);
    const open = this.selected;
    if (!open || !changed.some((c) => c.id === open.id)) return;
    if (wasOpen !== open.conversationId) this.#forgetClosed();
    const id = open.conversationId;
    if (id != null && !this.messages[id]) void toasts.guard(() => this.loadConversation(id));
  }

  /** Applies one event; true when it is an incoming message of the open conversation. */
  #apply(e: EngineEvent): boolean {
    switch (e.type) {
      case "conversationChanged": {
        const c = e.conversation;
        if (c.id === this.#openId && !older(c, this.conversations[c.id])) this.conversations[c.id] = c;
        break;
      }
      case "messageAdded":
      case "messageUpdated":
        return this.#message(e.message);
      case "pulse":
        this.pulses[e.conversation_id] = { alive: e.alive, at: e.at };
        break;
      case "typing": {
        const { [e.customer_id]: was, ...others } = this.typing;
        if (e.typing) this.typing = { ...others, [e.customer_id]: e.who };
        else if (was === e.who) this.typing = others;
        break;
      }
      case "profileChanged":
        this.profile = e.profile;
        void toasts.guard(() => this.#loadProfiles());
        break;
    }
    return false;
  }

  #message(m: Message): boolean {
    const list = this.messages[m.conversationId];
    if (!list) return false;
    upsert(list, m);
    return m.direction === "in";
  }
}

export const app = new AppState();
