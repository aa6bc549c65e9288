// The engine's routes, typed with the types generated from Rust (src/lib/generated/).
import type { EventWatch } from "./generated/EventWatch";
import type { ContractReport } from "./generated/ContractReport";
import type { Conversation } from "./generated/Conversation";
import type { ConversationFilter } from "./generated/ConversationFilter";
import type { Customer } from "./generated/Customer";
import type { Exchange } from "./generated/Exchange";
import type { ListenerFault } from "./generated/ListenerFault";
import type { ExchangeFilter } from "./generated/ExchangeFilter";
import type { Media } from "./generated/Media";
import type { MediaKind } from "./generated/MediaKind";
import type { Message } from "./generated/Message";
import type { MessageContent } from "./generated/MessageContent";
import type { NewCustomer } from "./generated/NewCustomer";
import type { Profile } from "./generated/Profile";
import type { SearchHit } from "./generated/SearchHit";
import type { SimAgentPatch } from "./generated/SimAgentPatch";
import type { SimAgentView } from "./generated/SimAgentView";
import type { SimClockPatch } from "./generated/SimClockPatch";
import type { SimClockView } from "./generated/SimClockView";
import type { SimConfigPatch } from "./generated/SimConfigPatch";
import type { SimDesk } from "./generated/SimDesk";
import type { SimGroupPatch } from "./generated/SimGroupPatch";
import type { SimGroupView } from "./generated/SimGroupView";
import type { SimNextRequestStatus } from "./generated/SimNextRequestStatus";
import type { SimPicture } from "./generated/SimPicture";
import type { SimRoutingFailure } from "./generated/SimRoutingFailure";
import type { SimSettings } from "./generated/SimSettings";
import type { SimState } from "./generated/SimState";
import type { Lang } from "./i18n.svelte";
import type { Transport } from "./transport";

/** `/api/info` is assembled ad hoc by crates/api (no Rust type to generate from). */
export interface Info {
  version: string;
  webchat: string;
  embedded: boolean;
  listener: string;
  wanAddr: string;
  /** `wxsim proxy`: the API shows a real pair's recorded traffic and acts for nobody. */
  observing: boolean;
}

/** The server's export renderers (crates/engine/src/export.rs) take these names. */
export type ExportFormat = "html" | "md" | "json" | "csv" | "svg";
/** A search's hits export as these. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ["html", "md", "json", "csv"];
/** A conversation exports as these, svg being its exchanges as a sequence diagram. */
export const CONVERSATION_FORMATS: readonly ExportFormat[] = [...EXPORT_FORMATS, "svg"];

/** How a saved scenario expects the agent's replies (`Expect` in crates/engine/src/scenario_file.rs). */
export type ScenarioExpect = "any" | "exact" | "regex";
export const SCENARIO_EXPECTS: readonly ScenarioExpect[] = ["any", "exact", "regex"];

type Param = string | number | boolean | null | undefined;

function query(params: Partial<Record<string, Param>>): string {
  const pairs = Object.entries(params).filter(
    (p): p is [string, string | number | boolean] => p[1] !== null && p[1] !== undefined && p[1] !== "",
  );
  return pairs.length === 0 ? "" : "?" + new URLSearchParams(pairs.map(([k, v]) => [k, String(v)]));
}

export function makeApi(t: Transport) {
  const c = (id: number, action: string) => `/api/customers/${id}/${action}`;
  const s = (control: string) => `/api/simulator/${control}`;
  return {
    info: () => t.request<Info>("GET", "/api/info"),
    customers: () => t.request<Customer[]>("GET", "/api/customers"),
    createCustomer: (n: NewCustomer) => t.request<Customer>("POST", "/api/customers", n),
    requestChat: (id: number) => t.request<Conversation>("POST", c(id, "request-chat")),
    send: (id: number, content: MessageContent) => t.request<Message>("POST", c(id, "messages"), content),
    cancel: (id: number) => t.request<Conversation>("POST", c(id, "cancel")),
    transfer: (id: number, info: string) => t.request<Conversation>("POST", c(id, "transfer"), { info }),
    close: (id: number) => t.request<Conversation>("POST", c(id, "close")),
    rate: (id: number, ratingId: string, comment: string) =>
      t.request<Conversation>("POST", c(id, "rate"), { ratingId, comment }),
    queuePosition: (id: number) => t.request<{ orderInQueue: number | null }>("POST", c(id, "queue-position")),
    markRead: (id: number) => t.request<Customer>("POST", c(id, "read")),
    resend: (messageId: number) => t.request<Message>("POST", `/api/messages/${messageId}/resend`),
    upload: (kind: MediaKind, file: File): Promise<Media> =>
      file.arrayBuffer().then((bytes) => t.upload(kind, file.name, bytes)),
    conversations: (f: Partial<ConversationFilter> = {}) =>
      t.request<Conversation[]>("GET", "/api/conversations" + query(f)),
    conversation: (id: number) => t.request<Conversation>("GET", `/api/conversations/${id}`),
    messages: (id: number) => t.request<Message[]>("GET", `/api/conversations/${id}/messages`),
    pulse: (id: number) => t.request<{ alive: boolean }>("POST", `/api/conversations/${id}/pulse`),
    exchanges: (f: Partial<ExchangeFilter>) => t.request<Exchange[]>("GET", "/api/exchanges" + query(f)),
    search: (q: string) => t.request<SearchHit[]>("GET", "/api/search" + query({ q })),
    profile: () => t.request<Profile>("GET", "/api/profile"),
    /** Validates `p`, stores it under its name and makes it the active profile. */
    setProfile: (p: Profile) => t.request<Profile>("PUT", "/api/profile", p),
    profiles: () => t.request<Profile[]>("GET", "/api/profiles"),
    /** Forgets a stored profile (not the active one); answers the profiles left. */
    deleteProfile: (name: string) => t.request<Profile[]>("DELETE", `/api/profiles/${encodeURIComponent(name)}`),
    mediaSrc: (mediaId: string) => t.mediaSrc(mediaId),
    watch: (w: EventWatch) => t.watch(w),
    /** `lang` labels a diagram (svg). */
    exportConversation: (id: number, format: ExportFormat, lang?: Lang) =>
      t.saveExport(`/api/conversations/${id}/export` + query({ format, lang }), `conversation-${id}.${format}`),
    /** The conversation's exchanges as a sequence diagram (SVG text), labelled in `lang`. */
    diagram: (id: number, lang: Lang) => t.text(`/api/conversations/${id}/export` + query({ format: "svg", lang })),
    /** Saves bytes made in the page (a diagram's PNG) as `name`. */
    saveFile: (name: string, bytes: ArrayBuffer, type: string) => t.saveFile(name, bytes, type),
    saveScenario: (id: number, expect: ScenarioExpect) =>
      t.saveExport(`/api/conversations/${id}/export` + query({ format: "scenario", expect }), `conversation-${id}.toml`),
    exportSearch: (q: string, format: ExportFormat) =>
      t.saveExport("/api/search/export" + query({ q, format }), `search.${format}`),
    faults: () => t.request<ListenerFault[]>("GET", "/api/faults"),
    setFaults: (faults: ListenerFault[]) => t.request<ListenerFault[]>("PUT", "/api/faults", faults),
    contract: () => t.request<ContractReport>("GET", "/api/contract"),
    // The embedded simulator's controls (404 against a real webchat). Changes without an
    // answer of their own answer the live state.
    simState: () => t.request<SimState>("GET", "/api/simulator/state?live=true"),
    simConfig: (p: SimConfigPatch) => t.request<SimSettings>("POST", "/api/simulator/config", p),
    simAgent: (p: SimAgentPatch) => t.request<SimAgentView>("POST", "/api/simulator/agents", p),
    simGroup: (p: SimGroupPatch) => t.request<SimGroupView>("POST", "/api/simulator/groups", p),
    simClock: (p: Partial<SimClockPatch>) => t.request<SimClockView>("POST", "/api/simulator/clock", p),
    simNextStatus: (p: SimNextRequestStatus) => t.request<SimState>("POST", s("next-request-status"), p),
    simRoutingFailure: (p: SimRoutingFailure) => t.request<SimState>("POST", s("routing-failure"), p),
    simRestore: () => t.request<SimState>("POST", s("restore"), {}),
    simSay: (sessionId: number, html: string) => t.request<SimState>("POST", s("agent/say"), { sessionId, html }),
    simClose: (sessionId: number) => t.request<SimState>("POST", s("agent/close"), { sessionId }),
    simPushRating: (sessionId: number) => t.request<SimState>("POST", s("agent/push-rating"), { sessionId }),
    // The agent desk: a person in an agent's seat. Every action answers the seat's view.
    /** The desk's view; with `seen`, once it differs from that revision (or after a while). */
    // `watch`: with no seat held, every agent's sessions (the demo layout's audience).
    desk: (seat: string | null, seen?: string, watch?: boolean) =>
      t.request<SimDesk>("GET", s("desk") + query({ seat, seen, watch: watch || null })),
    deskSeat: (agentId: string) => t.request<SimDesk>("POST", s("desk/seat"), { agentId }),
    deskRelease: (agentId: string) => t.request<SimDesk>("POST", s("desk/release"), { agentId }),
    deskAccept: (agentId: string, requestId: string) => t.request<SimDesk>("POST", s("desk/accept"), { agentId, requestId }),
    deskRefuse: (agentId: string, requestId: string) => t.request<SimDesk>("POST", s("desk/refuse"), { agentId, requestId }),
    deskSay: (agentId: string, sessionId: number, html: string) =>
      t.request<SimDesk>("POST", s("desk/say"), { agentId, sessionId, html }),
    deskRead: (agentId: string, sessionId: number) => t.request<SimDesk>("POST", s("desk/read"), { agentId, sessionId }),
    deskPushRating: (agentId: string, sessionId: number) =>
      t.request<SimDesk>("POST", s("desk/push-rating"), { agentId, sessionId }),
    deskTransfer: (agentId: string, sessionId: number, skillGroup: number) =>
      t.request<SimDesk>("POST", s("desk/transfer"), { agentId, sessionId, skillGroup }),
    deskClose: (agentId: string, sessionId: number) => t.request<SimDesk>("POST", s("desk/close"), { agentId, sessionId }),
    deskPicture: (file: File): Promise<SimPicture> =>
      file.arrayBuffer().then((bytes) => t.postBytes<SimPicture>(s("desk/pictures"), bytes)),
  };
}

export type Api = ReturnType<typeof makeApi>;
