//! What can go wrong in an engine command, each error saying what happened and what to do.

use wxsim_protocol::{Endpoint, ResultCode};

use crate::client::CallError;
use crate::config::ProfileError;
use crate::model::ConversationState;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// webchat answered with a non-1 result: a typed outcome, not a fault of ours.
    #[error("webchat refused {endpoint}: result {code} — {message}", endpoint = endpoint.path())]
    Rejected {
        endpoint: Endpoint,
        code: ResultCode,
        message: String,
    },
    #[error(transparent)]
    Webchat(#[from] CallError),
    #[error("no customer with id {0}; list customers to find the right one")]
    UnknownCustomer(i64),
    #[error("no conversation with id {0}")]
    UnknownConversation(i64),
    #[error("no message with id {0}")]
    UnknownMessage(i64),
    #[error("no media with id `{0}`; upload the file first")]
    UnknownMedia(String),
    #[error("customer {customer} has no {needed} conversation (it is {state}); {hint}")]
    WrongState {
        customer: i64,
        needed: &'static str,
        state: String,
        hint: &'static str,
    },
    #[error("customer with openId `{0}` already exists; pick another openId or leave it empty")]
    DuplicateOpenId(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("database error: {0}; check that the data dir is writable and not full")]
    Store(#[from] rusqlite::Error),
    #[error("cannot bring the database up to date (migration {version}): {source}; the file may be from a newer wxsim or damaged")]
    Migrate {
        version: i64,
        source: rusqlite::Error,
    },
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the database is closed (wxsim is shutting down); try again after a restart")]
    StoreClosed,
    #[error(
        "wxsim is shutting down, so the command was not finished; start wxsim again and retry"
    )]
    Stopping,
    #[error("the database is open read-only here (a history tool); change it through the wxsim app that owns it")]
    ReadOnly,
    #[error("wxsim is standing between a hosting service and webchat (wxsim proxy): it records their traffic and calls nobody itself; act through the hosting service")]
    Observing,
}

impl EngineError {
    pub fn wrong_state(
        customer: i64,
        needed: &'static str,
        state: Option<ConversationState>,
        hint: &'static str,
    ) -> Self {
        EngineError::WrongState {
            customer,
            needed,
            state: state.map_or("without any conversation".into(), |s| s.as_str().into()),
            hint,
        }
    }

    /// A short machine-readable kind for API clients.
    pub fn kind(&self) -> &'static str {
        match self {
            EngineError::Rejected { .. } => "rejected",
            EngineError::Webchat(_) => "webchat_unavailable",
            EngineError::UnknownCustomer(_)
            | EngineError::UnknownConversation(_)
            | EngineError::UnknownMessage(_)
            | EngineError::UnknownMedia(_) => "not_found",
            EngineError::WrongState { .. } => "wrong_state",
            EngineError::DuplicateOpenId(_) => "conflict",
            EngineError::Observing => "observing",
            EngineError::Invalid(_) | EngineError::Profile(_) => "invalid",
            EngineError::Store(_)
            | EngineError::Migrate { .. }
            | EngineError::Io(_)
            | EngineError::StoreClosed
            | EngineError::Stopping
            | EngineError::ReadOnly => "internal",
        }
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;
