//! Wire types of the webchat ⇄ WeChat hosting-service interface (`shared/spec/interface.md`).
//!
//! Pure data: no I/O, no async. Every request and answer of webchat's eight `*.do`
//! endpoints and of the seven `/ari/*` callbacks, the two code tables, lenient ids and
//! message content. Parsing is lenient where the spec's own examples disagree (ids as
//! number or string, content as object or JSON string) and strict where the logic needs
//! a field: a missing required field is an error that names it.

pub mod callback;
pub mod check;
pub mod clock;
pub mod code;
pub mod content;
pub mod contract;
pub mod endpoint;
pub mod html;
pub mod id;
mod lenient;
pub mod openapi;
pub mod parse;
pub mod rating;

pub use callback::*;
pub use check::{check_body, check_value, Finding, Rule, Severity, Side, RULES};
pub use code::{Lang, RequestStatus, ResultCode};
pub use content::{ContentEncoding, ContentError, MessageContent, MsgType};
pub use contract::{Field, FieldType, Operation, OperationSpec, OPERATIONS};
pub use endpoint::*;
pub use id::{AgentId, ChatSessionId, MediaId, OpenId, RatingId, RequestId, SessionId, WireId};
pub use parse::{parse_json, ParseError};
pub use rating::RatingOption;
