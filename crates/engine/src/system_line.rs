//! A transcript's system lines: what happened, stored as a code with its parameters so
//! that each reader sees it in their own language (the UI renders it; the English
//! rendering is stored beside it for search, exports and old readers).

use std::fmt;

use serde::{Deserialize, Serialize};
use wxsim_protocol::{RequestStatus, ResultCode};

use crate::faults::FaultAction;

/// What a customer asked webchat for, in a line about the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Ask {
    /// `createCon.do`.
    Chat,
    /// A new request for a human after the robot's chat (`transferCon.do` or `createCon.do`).
    HandOver,
}

impl fmt::Display for Ask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ask::Chat => "chat request",
            Ask::HandOver => "hand-over to a human agent",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SystemLine {
    ChatRequested,
    HandOverRequested,
    /// `createCon.do` or `transferCon.do` took the request.
    RequestAnswered {
        endpoint: String,
        #[serde(rename = "queueLength")]
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        queue_length: Option<i64>,
    },
    RequestRefused {
        ask: Ask,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        result: i64,
        message: String,
    },
    /// The call itself failed (webchat down, slow, or an unreadable answer).
    RequestFailed {
        ask: Ask,
        error: String,
    },
    /// `/ari/create` with a failing result.
    RoutingFailed {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        result: i64,
        message: String,
    },
    Accepted {
        agent: String,
        session: String,
    },
    RequestStatus {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        status: i64,
        message: String,
    },
    Agents {
        names: Vec<String>,
    },
    RatingAsked,
    Rated {
        #[serde(rename = "ratingId")]
        rating_id: String,
        comment: String,
    },
    ClosedByAgent,
    ClosedByCustomer,
    RequestCancelled,
    TransferRequested,
    TransferRefused {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        result: i64,
        message: String,
    },
    /// After a restart, `pulse.do` said webchat no longer knows the session.
    SessionLost {
        session: String,
    },
    /// A fault armed on our listener answered a callback for this chat instead of applying it.
    FaultInjected {
        path: String,
        action: FaultAction,
    },
}

/// `: message`, or nothing for an empty one.
fn suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

impl fmt::Display for SystemLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SystemLine::ChatRequested => f.write_str("chat requested"),
            SystemLine::HandOverRequested => f.write_str("handed over to a human agent"),
            SystemLine::RequestAnswered {
                endpoint,
                queue_length,
            } => match queue_length {
                Some(q) => write!(f, "{endpoint} answered: queue length {q}"),
                None => write!(f, "{endpoint} answered: queue length ?"),
            },
            SystemLine::RequestRefused {
                ask,
                result,
                message,
            } => write!(f, "{ask} refused: {} {message}", ResultCode::from(*result)),
            SystemLine::RequestFailed { ask, error } => write!(f, "{ask} failed: {error}"),
            SystemLine::RoutingFailed { result, message } => {
                write!(f, "routing failed: {} {message}", ResultCode::from(*result))
            }
            SystemLine::Accepted { agent, session } => {
                write!(f, "{agent} accepted the chat (session {session})")
            }
            SystemLine::RequestStatus { status, message } => write!(
                f,
                "request status {}{}",
                RequestStatus::from(*status),
                suffix(message)
            ),
            SystemLine::Agents { names } => write!(f, "agents in this chat: {}", names.join(", ")),
            SystemLine::RatingAsked => f.write_str("the agent asks for a rating"),
            SystemLine::Rated { rating_id, comment } => {
                write!(f, "rated {rating_id}{}", suffix(comment))
            }
            SystemLine::ClosedByAgent => f.write_str("chat closed by the agent"),
            SystemLine::ClosedByCustomer => f.write_str("chat closed by the customer"),
            SystemLine::RequestCancelled => f.write_str("request cancelled by the customer"),
            SystemLine::TransferRequested => f.write_str("transfer to a human agent requested"),
            SystemLine::TransferRefused { result, message } => {
                write!(f, "transfer refused: {} {message}", ResultCode::from(*result))
            }
            SystemLine::SessionLost { session } => write!(
                f,
                "webchat no longer knows session {session} (pulse.do ≠ 1 after a restart); request a new chat"
            ),
            SystemLine::FaultInjected { path, action } => {
                write!(f, "an injected fault answered {path} ({})", action.describe())?;
                f.write_str(match action {
                    FaultAction::Delay { .. } => "",
                    _ => ": the callback was not applied; webchat may send it again",
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_stored_as_its_code_and_parameters() {
        let line = SystemLine::RequestStatus {
            status: 1,
            message: "ok".into(),
        };
        let json = serde_json::to_value(&line).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "requestStatus", "status": 1, "message": "ok"})
        );
        assert_eq!(serde_json::from_value::<SystemLine>(json).unwrap(), line);
        assert_eq!(line.to_string(), "request status 1 (ACCEPTED): ok");
    }

    #[test]
    fn a_refused_request_names_what_was_asked_and_the_code() {
        let line = SystemLine::RequestRefused {
            ask: Ask::HandOver,
            result: -2,
            message: "busy".into(),
        };
        assert_eq!(
            serde_json::to_value(&line).unwrap(),
            serde_json::json!({"code": "requestRefused", "ask": "handOver", "result": -2, "message": "busy"})
        );
        assert!(line
            .to_string()
            .starts_with("hand-over to a human agent refused: -2"));
    }
}
