//! The domain as the engine's API shows it: customers, conversations, messages, media and
//! wire exchanges. Every front end (desktop, browser, scenario runner) sees these types.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use wxsim_protocol::{Finding, MessageContent, RatingOption, RequestSource};

use crate::system_line::SystemLine;

/// Where a conversation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ConversationState {
    /// `createcon.do` sent, no answer yet.
    Requesting,
    /// In webchat's queue.
    Queued,
    Chatting,
    Closed,
    Rated,
    /// The request ended without a chat (a non-1 result or a failing request status).
    Failed,
    Canceled,
    /// Chatting when wxsim stopped, and webchat no longer knows the session (pulse.do ≠ 1 at
    /// start): it ended on webchat's side while nobody listened.
    Lost,
}

impl ConversationState {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationState::Requesting => "requesting",
            ConversationState::Queued => "queued",
            ConversationState::Chatting => "chatting",
            ConversationState::Closed => "closed",
            ConversationState::Rated => "rated",
            ConversationState::Failed => "failed",
            ConversationState::Canceled => "canceled",
            ConversationState::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> ConversationState {
        match s {
            "requesting" => ConversationState::Requesting,
            "queued" => ConversationState::Queued,
            "chatting" => ConversationState::Chatting,
            "closed" => ConversationState::Closed,
            "rated" => ConversationState::Rated,
            "canceled" => ConversationState::Canceled,
            "lost" => ConversationState::Lost,
            _ => ConversationState::Failed,
        }
    }

    /// Still waiting for or holding a chat: a customer has at most one such conversation.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            ConversationState::Requesting | ConversationState::Queued | ConversationState::Chatting
        )
    }

    pub const ACTIVE_SQL: &'static str = "('requesting','queued','chatting')";
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewCustomer {
    /// Generated when absent.
    #[serde(default)]
    pub open_id: Option<String>,
    pub nickname: String,
    #[serde(default)]
    pub head_img_url: Option<String>,
    #[serde(default)]
    pub source: Option<RequestSource>,
    #[serde(default)]
    pub brand: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub skill_group: i64,
    /// Pin the request to one agent.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Browsing trail, sent as a JSON string.
    #[serde(default)]
    pub tracks: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Customer {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub open_id: String,
    pub nickname: String,
    pub head_img_url: Option<String>,
    pub source: Option<RequestSource>,
    pub brand: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub skill_group: i64,
    pub agent_id: Option<String>,
    pub tracks: Option<String>,
    /// The newest conversation's state, if any.
    pub state: Option<ConversationState>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub conversation_id: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unread: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgentView {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Conversation {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub customer_id: i64,
    pub open_id: String,
    pub nickname: String,
    pub profile: String,
    pub state: ConversationState,
    pub request_id: Option<String>,
    pub session_id: Option<String>,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    pub agents: Vec<AgentView>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub queue_position: Option<i64>,
    /// Last `requestStatus` seen.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub request_status: Option<i64>,
    /// Last non-1 result that ended or refused the request.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub result_code: Option<i64>,
    pub status_message: Option<String>,
    /// Set by `pushRating`: the options to offer (the profile's scale when it came empty).
    pub rating_options: Option<Vec<RatingOption>>,
    pub rating_id: Option<String>,
    pub rating_comment: Option<String>,
    /// `customer` or `agent`.
    pub closed_by: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub accepted_at: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub closed_at: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub rated_at: Option<i64>,
    /// A robot chat handed to a human within its session (`transferCon.do`, robot_session
    /// reading): it is not offered again.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub handed_over_at: Option<i64>,
    /// Customer and agent messages (system lines not counted).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub message_count: i64,
    /// Contract findings over this conversation's exchanges.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub finding_count: i64,
    /// Raised by every write to the conversation: of two copies, the higher is the newer.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Direction {
    /// Customer → agent.
    Out,
    /// Agent → customer.
    In,
    /// A state change worth a line in the transcript.
    System,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Delivery {
    /// Stored, not yet answered by webchat.
    Pending,
    Sent,
    /// webchat refused it or could not be reached; can be re-sent.
    Failed,
    Received,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Message {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub conversation_id: i64,
    pub direction: Direction,
    /// A `msgType` for customer messages, `html` for agent messages, `event` for system lines.
    pub kind: String,
    /// Customer messages: the typed content.
    pub content: Option<MessageContent>,
    /// Agent messages: sanitized HTML, safe to render.
    pub html: Option<String>,
    /// Plain text (search, transcripts, system lines).
    pub text: String,
    pub delivery: Delivery,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub result_code: Option<i64>,
    pub error: Option<String>,
    /// The time webchat gave (`msgTime`), when it gave one.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub wire_time: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    /// Agent messages: who wrote it, by name (none for messages stored before wxsim kept it).
    pub agent_name: Option<String>,
    /// System lines: what happened, as a code with parameters (`text` is its English
    /// rendering); none for lines stored before wxsim kept it.
    pub line: Option<SystemLine>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MediaKind {
    Image,
    Voice,
    Video,
    Thumb,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Voice => "voice",
            MediaKind::Video => "video",
            MediaKind::Thumb => "thumb",
        }
    }
    pub fn parse(s: &str) -> Option<MediaKind> {
        [
            MediaKind::Image,
            MediaKind::Voice,
            MediaKind::Video,
            MediaKind::Thumb,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Media {
    pub media_id: String,
    pub kind: MediaKind,
    pub file_name: String,
    pub original_name: String,
    pub mime: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: i64,
    pub sha256: String,
    pub service_account: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
}

/// Who called whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ExchangeDirection {
    /// We called webchat.
    Out,
    /// webchat (or anyone) called our listener.
    In,
}

/// How an exchange ended, in one word for filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ExchangeOutcome {
    /// HTTP 2xx and `result`/`code` 1.
    Ok,
    /// Answered, but with a non-1 result or a 4xx.
    Rejected,
    /// No usable answer: unreachable, timeout, 5xx, unreadable body.
    Failed,
}

impl ExchangeOutcome {
    /// The one rule for both directions. `status` is `None` when no answer came;
    /// `understood` is false when the answer does not follow the interface; `result` is the
    /// answer's `result` (or `code`), `None` for answers without one (media bytes).
    pub fn judge(status: Option<u16>, result: Option<i64>, understood: bool) -> ExchangeOutcome {
        match status {
            None => ExchangeOutcome::Failed,
            Some(_) if !understood => ExchangeOutcome::Failed,
            Some(s) if s >= 500 => ExchangeOutcome::Failed,
            Some(s) if (200..300).contains(&s) && matches!(result, Some(1) | None) => {
                ExchangeOutcome::Ok
            }
            Some(_) => ExchangeOutcome::Rejected,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeOutcome::Ok => "ok",
            ExchangeOutcome::Rejected => "rejected",
            ExchangeOutcome::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> ExchangeOutcome {
        match s {
            "ok" => ExchangeOutcome::Ok,
            "rejected" => ExchangeOutcome::Rejected,
            _ => ExchangeOutcome::Failed,
        }
    }
}

/// One HTTP exchange on the wire, either direction: the wire inspector's row.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exchange {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub direction: ExchangeDirection,
    pub method: String,
    pub path: String,
    /// `createcon.do`, `/ari/msg`, … when the path is one of the interface's.
    pub operation: Option<String>,
    pub open_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub conversation_id: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "Record<string, string>"))]
    pub request_headers: Value,
    pub request_body: String,
    pub status: Option<u16>,
    pub response_body: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub result_code: Option<i64>,
    pub outcome: ExchangeOutcome,
    pub error: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub started_at: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_us: i64,
    /// Where this exchange departs from the interface (the contract checker).
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExchangeFilter {
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub customer_id: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub conversation_id: Option<i64>,
    pub operation: Option<String>,
    pub outcome: Option<ExchangeOutcome>,
    /// Only rows with an id above this (for tailing).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub after_id: Option<i64>,
    /// Only exchanges with contract findings.
    pub with_findings: Option<bool>,
    /// Epoch ms bounds on the exchange's start.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub since: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub until: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub limit: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConversationFilter {
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub customer_id: Option<i64>,
    pub state: Option<ConversationState>,
    /// Epoch ms bounds on the conversation's start.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub since: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub until: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub limit: Option<i64>,
}

/// One full-text hit: the message and its conversation, with the match marked.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    pub message: Message,
    pub nickname: String,
    pub open_id: String,
    /// The message text with hits wrapped in `<mark>…</mark>`, everything else escaped.
    pub snippet: String,
}
