// What the UI knows of the engine, kept current by its event stream.
import type { Api, Info } from "./api";
import type { Conversation } from "./generated/Conversation";
import type { Customer } from "./generated/Customer";
import type { EngineEvent } from "./generated/EngineEvent";
import type { Exchange } from "./generated/Exchange";
import type { Message } from "./generated/Message";
import type { Profile } from "./generated/Profile";
import { allowImagesFrom } from "./sanitize";
import { toasts } from "./toasts.svelte";

export type Tab = "chat" | "wire" | "faults" | "contract" | "history" | "settings";

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

function upsert<T extends { id: number }>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  if (i < 0) return [...list, item];
  const next = [...list];
  next[i] = item;
  return next;
}

class AppState {
  api = $state<Api | null>(null);
  info = $state<Info | null>(null);
  profile = $state<Profile | null>(null);
  /** Every stored profile, the active one included. */
  profiles = $state<Profile[]>([]);
  customers = $state<Customer[]>([]);
  selectedId = $state<number | null>(null);
  conversations = $state<Record<number, Conversation>>({});
  messages = $state<Record<number, Message[]>>({});
  pulses = $state<Record<number, Pulse>>({});
  connected = $state(false);
  tab = $state<Tab>("chat");
  /** Taken by the wire inspector when it opens. */
  wireFocus = $state<WireFocus | null>(null);
  /** Bumped to ask the history view to focus its search box. */
  searchRequests = $state(0);
  #exchangeListeners = new Set<(e: Exchange) => void>();

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
    await this.reload();
  }

  async reload(): Promise<void> {
    const [customers, profile] = await Promise.all([this.client.customers(), this.client.profile(), this.#loadProfiles()]);
    this.customers = customers;
    this.profile = profile;
    if (this.selected?.conversationId != null) await this.loadConversation(this.selected.conversationId);
  }

  /** The stored profiles, and `/api/info`, whose webchat address follows the active one. */
  async #loadProfiles(): Promise<void> {
    const [info, profiles] = await Promise.all([this.client.info(), this.client.profiles()]);
    allowImagesFrom(info.webchat);
    this.info = info;
    this.profiles = profiles;
  }

  async loadConversation(id: number): Promise<void> {
    const [conversation, messages] = await Promise.all([this.client.conversation(id), this.client.messages(id)]);
    this.conversations[id] = conversation;
    this.messages[id] = messages;
  }

  select(id: number): void {
    this.selectedId = id;
    this.tab = "chat";
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

  onExchange(listener: (e: Exchange) => void): () => void {
    this.#exchangeListeners.add(listener);
    return () => this.#exchangeListeners.delete(listener);
  }

  handle(e: EngineEvent): void {
    switch (e.type) {
      case "customerChanged":
        this.customers = upsert(this.customers, e.customer);
        if (e.customer.id === this.selectedId && e.customer.conversationId != null) {
          const id = e.customer.conversationId;
          if (!this.messages[id]) void toasts.guard(() => this.loadConversation(id));
        }
        break;
      case "conversationChanged":
        this.conversations[e.conversation.id] = e.conversation;
        break;
      case "messageAdded":
      case "messageUpdated":
        this.#message(e.message);
        break;
      case "exchange":
        for (const listener of this.#exchangeListeners) listener(e.exchange);
        break;
      case "pulse":
        this.pulses[e.conversation_id] = { alive: e.alive, at: e.at };
        break;
      case "profileChanged":
        this.profile = e.profile;
        void toasts.guard(() => this.#loadProfiles());
        break;
    }
  }

  #message(m: Message): void {
    const list = this.messages[m.conversationId];
    if (!list) return;
    this.messages[m.conversationId] = upsert(list, m);
    const customer = this.selected;
    if (
      customer?.conversationId === m.conversationId &&
      m.direction === "in" &&
      this.tab === "chat" &&
      document.visibilityState === "visible"
    ) {
      void toasts.guard(() => this.client.markRead(customer.id));
    }
  }
}

export const app = new AppState();
