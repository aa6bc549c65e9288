//! The webchat client: calls the eight `*.do` endpoints and logs every exchange, whatever
//! its outcome, before the caller sees the answer.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use wxsim_protocol::{parse::parse_value, Endpoint};

use crate::events::{EngineEvent, EventBus};
use crate::model::{ExchangeDirection, ExchangeOutcome};
use crate::store::{now_ms, NewExchange, Store};

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("webchat at {url} is unreachable ({reason}); check the profile's webchat URL and that webchat is running, then re-send")]
    Unreachable { url: String, reason: String },
    #[error("webchat at {url} did not answer within {timeout_ms} ms; it is slow or down: re-send, or raise the profile's request timeout")]
    Timeout { url: String, timeout_ms: u64 },
    #[error("webchat answered {endpoint} with HTTP {status}: {body}")]
    Http {
        endpoint: &'static str,
        status: u16,
        body: String,
    },
    #[error("webchat's answer to {endpoint} does not follow the interface: {reason}")]
    BadAnswer {
        endpoint: &'static str,
        reason: String,
    },
}

/// Where and how long to call: taken from the active profile at each call.
#[derive(Clone, Debug)]
pub struct Target {
    pub base_url: String,
    pub timeout: Duration,
}

/// What an exchange is about, for the wire log.
#[derive(Clone, Debug, Default)]
pub struct CallContext {
    pub open_id: Option<String>,
    pub conversation_id: Option<i64>,
}

#[derive(Clone)]
pub struct WebchatClient {
    http: reqwest::Client,
    store: Store,
    events: EventBus,
}

impl WebchatClient {
    pub fn new(store: Store, events: EventBus) -> Self {
        WebchatClient {
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("an HTTP client without a proxy builds"),
            store,
            events,
        }
    }

    /// Posts `body` to `endpoint`; the answer's `result` is the caller's to judge.
    pub async fn call<A: DeserializeOwned>(
        &self,
        target: &Target,
        endpoint: Endpoint,
        body: &impl Serialize,
        ctx: &CallContext,
    ) -> Result<A, CallError> {
        let url = format!(
            "{}/{}",
            target.base_url.trim_end_matches('/'),
            endpoint.path()
        );
        let request_body = serde_json::to_string(body).expect("request serializes");
        let started_at = now_ms();
        let clock = Instant::now();
        let sent = self
            .http
            .post(&url)
            .timeout(target.timeout)
            .header("content-type", "application/json")
            .body(request_body.clone())
            .send()
            .await;
        let (status, response_body, outcome) = match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                match resp.text().await {
                    Ok(text) => (Some(status), Some(text), Ok(())),
                    Err(e) => (
                        Some(status),
                        None,
                        Err(self.transport_error(&url, target, e)),
                    ),
                }
            }
            Err(e) => (None, None, Err(self.transport_error(&url, target, e))),
        };
        let parsed: Result<(A, Option<i64>), CallError> = outcome.and_then(|()| {
            read_answer(
                endpoint,
                status.unwrap_or_default(),
                response_body.as_deref().unwrap_or_default(),
            )
        });
        let exchange = judged(
            Sent {
                endpoint,
                url,
                ctx,
                request_headers: serde_json::json!({ "content-type": "application/json" }),
                request_body,
                started_at,
            },
            status,
            response_body,
            &parsed,
            clock.elapsed().as_micros() as i64,
        );
        self.log(exchange).await;
        parsed.map(|(a, _)| a)
    }

    /// A picture agent HTML points at, if it is one (an `image/*` answer, at most `limit`
    /// bytes, within ten seconds). Not logged: it is not an exchange of the interface.
    pub async fn fetch_picture(&self, url: &str, limit: usize) -> Option<Vec<u8>> {
        let response = self
            .http
            .get(url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .ok()?;
        let is_image = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("image/"));
        if !response.status().is_success() || !is_image {
            return None;
        }
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return None;
        }
        let bytes = response.bytes().await.ok()?;
        (bytes.len() <= limit).then(|| bytes.to_vec())
    }

    fn transport_error(&self, url: &str, target: &Target, e: reqwest::Error) -> CallError {
        if e.is_timeout() {
            CallError::Timeout {
                url: url.into(),
                timeout_ms: target.timeout.as_millis() as u64,
            }
        } else {
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                reason = format!("{reason}: {s}");
                source = s.source();
            }
            CallError::Unreachable {
                url: url.into(),
                reason,
            }
        }
    }

    /// Stores an exchange and tells the UI.
    pub(crate) async fn log(&self, exchange: NewExchange) {
        match self.store.log_exchange(exchange).await {
            Ok(row) => self.events.publish(EngineEvent::Exchange { exchange: row }),
            Err(e) => tracing::error!(error = %e, "could not store an exchange with webchat"),
        }
    }
}

/// Reads webchat's answer to `endpoint` (HTTP `status`, body `text`): the typed answer and
/// its `result`, or why it is none. The client and the proxy's observer read it alike.
pub(crate) fn read_answer<A: DeserializeOwned>(
    endpoint: Endpoint,
    status: u16,
    text: &str,
) -> Result<(A, Option<i64>), CallError> {
    if !(200..300).contains(&status) {
        // A refusal whose body says why (`result`, `message`) is an answer like any
        // other: its code is what the tester needs to see.
        return refusal::<A>(text).ok_or_else(|| CallError::Http {
            endpoint: endpoint.path(),
            status,
            body: text.chars().take(300).collect(),
        });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| CallError::BadAnswer {
        endpoint: endpoint.path(),
        reason: format!("not JSON ({e})"),
    })?;
    let code = value.get("result").and_then(Value::as_i64);
    let answer = parse_value::<A>(value).map_err(|e| CallError::BadAnswer {
        endpoint: endpoint.path(),
        reason: e.to_string(),
    })?;
    Ok((answer, code))
}

/// The request side of a `*.do` exchange, as it went.
pub(crate) struct Sent<'a> {
    pub endpoint: Endpoint,
    pub url: String,
    pub ctx: &'a CallContext,
    pub request_headers: Value,
    pub request_body: String,
    pub started_at: i64,
}

/// The wire log's row of a `*.do` exchange, with its findings and outcome judged one way
/// for the client and the proxy's observer.
pub(crate) fn judged<A>(
    sent: Sent<'_>,
    status: Option<u16>,
    response_body: Option<String>,
    parsed: &Result<(A, Option<i64>), CallError>,
    duration_us: i64,
) -> NewExchange {
    let result_code = parsed.as_ref().ok().and_then(|(_, c)| *c);
    let understood = !matches!(parsed, Err(CallError::BadAnswer { .. }));
    let findings = crate::contract::body_findings(
        Some(sent.endpoint.path()),
        &sent.request_body,
        status,
        response_body.as_deref(),
    );
    NewExchange {
        direction: ExchangeDirection::Out,
        method: "POST".into(),
        path: sent.url,
        operation: Some(sent.endpoint.path().into()),
        open_id: sent.ctx.open_id.clone(),
        conversation_id: sent.ctx.conversation_id,
        request_headers: sent.request_headers,
        request_body: sent.request_body,
        status,
        response_body,
        result_code,
        outcome: ExchangeOutcome::judge(status, result_code, understood),
        error: parsed.as_ref().err().map(|e| e.to_string()),
        started_at: sent.started_at,
        duration_us,
        findings,
    }
}

/// A non-2xx answer's body read as an answer, when it carries a `result` other than 1.
fn refusal<A: DeserializeOwned>(text: &str) -> Option<(A, Option<i64>)> {
    let value: Value = serde_json::from_str(text).ok()?;
    let code = value.get("result").and_then(Value::as_i64)?;
    if code == 1 {
        return None;
    }
    parse_value::<A>(value)
        .ok()
        .map(|answer| (answer, Some(code)))
}
