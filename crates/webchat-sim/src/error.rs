//! Everything the simulator can refuse, and how each refusal looks on the wire: a JSON
//! object `{result, message}`, with an HTTP status that says whether the request was
//! malformed (4xx, `result: -100`) or understood and answered with a result code (200).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use wxsim_protocol::{BasicAnswer, ContentError, ParseError, ResultCode};

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Understood, and answered with a non-1 result code (a spec outcome or an injected fault).
    #[error("{message}")]
    Refused { code: ResultCode, message: String },
    #[error("malformed request: {0}")]
    Malformed(#[from] ParseError),
    #[error("malformed request: {0}")]
    BadContent(#[from] ContentError),
    #[error("malformed request: {reason}")]
    Body { status: StatusCode, reason: String },
    #[error("no such endpoint: {method} {path}")]
    UnknownPath { method: String, path: String },
    #[error("method {method} is not allowed on {path} (use POST)")]
    WrongMethod { method: String, path: String },
    /// A desk action its seat cannot take now: the request went meanwhile, the session is
    /// another agent's, the seat is not held.
    #[error("{0}")]
    Desk(String),
    #[error("there is no agent {0}: the agents are those of the Simulator view")]
    UnknownAgent(String),
    #[error("{0}")]
    NotAPicture(String),
}

impl SimError {
    pub fn refused(code: ResultCode, message: impl Into<String>) -> Self {
        SimError::Refused {
            code,
            message: message.into(),
        }
    }

    /// `NO_SERVED_AGENT_FOUND` for a session the simulator does not serve.
    pub fn unknown_session(session: impl std::fmt::Display) -> Self {
        SimError::refused(
            ResultCode::NoServedAgentFound,
            format!("no served agent found: session {session} is unknown or closed"),
        )
    }

    /// The result code this error answers with.
    pub fn code(&self) -> ResultCode {
        match self {
            SimError::Refused { code, .. } => *code,
            _ => ResultCode::InternalError,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            SimError::Refused { .. } => StatusCode::OK,
            SimError::Malformed(_) | SimError::BadContent(_) => StatusCode::BAD_REQUEST,
            SimError::Body { status, .. } => *status,
            SimError::UnknownPath { .. } => StatusCode::NOT_FOUND,
            SimError::WrongMethod { .. } => StatusCode::METHOD_NOT_ALLOWED,
            SimError::Desk(_) => StatusCode::CONFLICT,
            SimError::UnknownAgent(_) => StatusCode::NOT_FOUND,
            SimError::NotAPicture(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        if !matches!(self, SimError::Refused { .. }) {
            tracing::warn!(error = %self, "refusing a malformed request");
        }
        let answer = BasicAnswer::fail(self.code(), self.to_string());
        (self.status(), Json(answer)).into_response()
    }
}
