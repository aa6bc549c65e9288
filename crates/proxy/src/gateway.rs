//! The proxy's own answers, for when the side it forwards to does not answer: 502 Bad
//! Gateway (unreachable, connection lost) and 504 Gateway Timeout, as a real gateway gives
//! them, with a JSON body in the API's error shape that says which side, what failed and
//! what to do. It carries no `result`: it is no answer of the interface, and a caller must
//! not read a protocol code into it.

use std::time::Duration;

use axum::http::StatusCode;
use bytes::Bytes;
use serde_json::json;

/// The two sides the proxy stands between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upstream {
    /// The real webchat, at `--webchat`: the `*.do` calls go there.
    Webchat,
    /// The real hosting service, at `--hosting`: callbacks and media downloads go there.
    Hosting,
}

impl Upstream {
    pub fn as_str(self) -> &'static str {
        match self {
            Upstream::Webchat => "webchat",
            Upstream::Hosting => "hosting",
        }
    }

    fn flag(self) -> &'static str {
        match self {
            Upstream::Webchat => "--webchat",
            Upstream::Hosting => "--hosting",
        }
    }
}

/// Why an upstream gave no answer.
pub enum Failure {
    /// No connection, or it broke before the whole answer came.
    Unreachable(String),
    /// No whole answer within the proxy's timeout.
    Timeout(Duration),
}

/// The status and JSON body the caller gets instead of an answer.
pub fn answer(side: Upstream, url: &str, failure: &Failure) -> (StatusCode, Bytes) {
    let name = side.as_str();
    let (status, kind, message, hint) = match failure {
        Failure::Unreachable(reason) => (
            StatusCode::BAD_GATEWAY,
            "bad_gateway",
            format!("{name} at {url} gave no answer: {reason}"),
            format!(
                "check that {name} is running at the address given to wxsim proxy with {}; the proxy forwards again as soon as it answers",
                side.flag()
            ),
        ),
        Failure::Timeout(limit) => (
            StatusCode::GATEWAY_TIMEOUT,
            "gateway_timeout",
            format!(
                "{name} at {url} did not answer within {} ms",
                limit.as_millis()
            ),
            format!(
                "{name} is slow or stuck: look at it, or give wxsim proxy a longer --timeout-ms"
            ),
        ),
    };
    let body = json!({
        "error": {
            "kind": kind,
            "side": name,
            "url": url,
            "message": message,
            "hint": hint,
        }
    });
    (status, Bytes::from(body.to_string()))
}
