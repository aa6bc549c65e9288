//! The HTTP listener webchat calls: the seven `/ari/*` callbacks (`/ari//pushRating`
//! too) and `GET /wechat/{serviceAccountId}/{type}?file=NAME` for media. Every request,
//! good or bad, lands in the exchange log; a valid callback is answered after its commit.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use rusqlite::Connection;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use wxsim_protocol::{parse::ParseError, CallbackKind, ResultCode};

use crate::access::{query_value, source_allowed};
use crate::callbacks::{answer, apply, Applied, Callback};
use crate::contract::{answer_findings, first_breach, request_findings};
use crate::engine::{Engine, Settings};
use crate::error::Result;
use crate::events::EngineEvent;
use crate::faults::FaultAction;
use crate::media::is_plain_file_name;
use crate::model::{Exchange, ExchangeDirection, ExchangeOutcome, Media, MediaKind};
use crate::store::{exchanges, now_ms, NewExchange};

pub(crate) fn spawn(engine: Engine, listener: TcpListener) {
    let shutdown = engine.inner.shutdown.clone();
    let app = Router::new().fallback(receive).with_state(engine);
    tokio::spawn(async move {
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "callback listener stopped");
        }
    });
}

/// What we answer and what the log keeps of it.
struct Reply {
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    /// The body as logged (media bytes are summarized).
    logged: String,
    result_code: Option<i64>,
    error: Option<String>,
    /// Close the connection instead of finishing the answer (an injected fault).
    drop_connection: bool,
}

impl Reply {
    fn json(status: StatusCode, value: Value) -> Reply {
        let text = value.to_string();
        Reply {
            status,
            content_type: "application/json",
            result_code: value
                .get("result")
                .or_else(|| value.get("code"))
                .and_then(Value::as_i64),
            error: (!status.is_success()).then(|| {
                value
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            }),
            body: text.clone().into_bytes(),
            logged: text,
            drop_connection: false,
        }
    }

    fn refuse(status: StatusCode, kind: Option<CallbackKind>, message: String) -> Reply {
        let value = match kind {
            Some(k) => answer(k, ResultCode::InternalError, &message),
            None => json!({ "result": ResultCode::InternalError.code(), "message": message }),
        };
        Reply::json(status, value)
    }

    fn outcome(&self) -> ExchangeOutcome {
        ExchangeOutcome::judge(Some(self.status.as_u16()), self.result_code, true)
    }
}

fn headers_json(headers: &HeaderMap) -> Value {
    Value::Object(
        headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    Value::String(v.to_str().unwrap_or("(binary)").to_owned()),
                )
            })
            .collect(),
    )
}

/// Handles each request on a task of its own: hyper drops a handler when webchat hangs up,
/// and a callback cut off between its commit and its events would be stored unannounced.
async fn receive(
    State(engine): State<Engine>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    match tokio::spawn(handle(engine, peer, request)).await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

async fn handle(engine: Engine, peer: SocketAddr, request: Request) -> Response {
    let clock = Instant::now();
    let started_at = now_ms();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    // One snapshot of the settings serves the whole request.
    let settings = engine.settings();
    let limit = usize::try_from(settings.profile.max_body_bytes).unwrap_or(usize::MAX);
    let body = to_bytes(body, limit).await;
    let request_body = match &body {
        Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Err(_) => format!("(body over {limit} bytes, not kept)"),
    };
    let mut log = NewExchange {
        direction: ExchangeDirection::In,
        method: parts.method.to_string(),
        path: path_and_query,
        operation: None,
        open_id: None,
        conversation_id: None,
        request_headers: headers_json(&parts.headers),
        request_body,
        status: None,
        response_body: None,
        result_code: None,
        outcome: ExchangeOutcome::Ok,
        error: None,
        started_at,
        duration_us: 0,
        findings: vec![],
    };

    let profile = &settings.profile;
    let secret_ok = profile.shared_secret.as_deref().is_none_or(|secret| {
        parts
            .headers
            .get("x-wxsim-secret")
            .and_then(|v| v.to_str().ok())
            == Some(secret)
    });
    let reply = if !source_allowed(&profile.allowed_sources, peer.ip()) {
        Reply::refuse(
            StatusCode::FORBIDDEN,
            None,
            format!(
                "{} is not in the allowed sources of this hosting service",
                peer.ip()
            ),
        )
    } else if !secret_ok {
        Reply::refuse(
            StatusCode::UNAUTHORIZED,
            None,
            "missing or wrong X-Wxsim-Secret header".into(),
        )
    } else if path.starts_with("/wechat/") {
        log.operation = Some("/wechat/".into());
        if parts.method != Method::GET && parts.method != Method::HEAD {
            Reply::refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                None,
                format!(
                    "{} is not allowed on media addresses; use GET",
                    parts.method
                ),
            )
        } else {
            serve_media(
                &engine,
                &settings,
                &path,
                parts.uri.query().unwrap_or_default(),
            )
            .await
        }
    } else if let Some(kind) = CallbackKind::from_path(&path) {
        log.operation = Some(kind.path().into());
        if parts.method != Method::POST {
            Reply::refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                Some(kind),
                format!(
                    "{} is not allowed on {}; callbacks are POST",
                    parts.method,
                    kind.path()
                ),
            )
        } else {
            match body {
                Err(_) => Reply::refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Some(kind),
                    format!("body is larger than {limit} bytes"),
                ),
                Ok(bytes) => return callback(&engine, &settings, kind, bytes, log, clock).await,
            }
        }
    } else {
        Reply::refuse(
            StatusCode::NOT_FOUND,
            None,
            format!("no such address: {path}; callbacks live under /ari/ and media under /wechat/"),
        )
    };
    finish(&engine, log, reply, clock).await
}

/// An injected fault's answer, or `None` to carry on (after any delay).
async fn injected(engine: &Engine, kind: CallbackKind) -> Option<Reply> {
    let action = engine.take_fault(kind)?;
    let note = |reply: Reply| Reply {
        error: Some(format!("injected fault: {action:?}")),
        ..reply
    };
    match &action {
        FaultAction::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            None
        }
        FaultAction::Result { code } => Some(note(Reply::json(
            StatusCode::OK,
            answer(kind, ResultCode::from(*code), "injected fault"),
        ))),
        FaultAction::Status { status } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some(note(Reply::refuse(
                status,
                Some(kind),
                "injected fault".into(),
            )))
        }
        FaultAction::Drop => Some(note(Reply {
            drop_connection: true,
            ..Reply::refuse(StatusCode::OK, Some(kind), "dropped".into())
        })),
    }
}

/// Applies a callback and logs it in one transaction, then answers.
async fn callback(
    engine: &Engine,
    settings: &Arc<Settings>,
    kind: CallbackKind,
    body: Bytes,
    mut log: NewExchange,
    clock: Instant,
) -> Response {
    if let Some(reply) = injected(engine, kind).await {
        return finish(engine, log, reply, clock).await;
    }
    let request_findings = request_findings(Some(kind.path()), &log.request_body);
    if settings.profile.strict_contract {
        if let Some(breach) = first_breach(&request_findings) {
            let message = format!("contract: {}", breach.message);
            log.findings = request_findings.clone();
            return finish(
                engine,
                log,
                Reply::json(
                    StatusCode::OK,
                    answer(kind, ResultCode::InternalError, &message),
                ),
                clock,
            )
            .await;
        }
    }
    log.findings = request_findings;
    let callback = match parse(kind, body, settings.clone()).await {
        Ok(callback) => callback,
        Err(e) => {
            let reply = Reply::refuse(StatusCode::BAD_REQUEST, Some(kind), e.to_string());
            return finish(engine, log, reply, clock).await;
        }
    };
    let arrival = Arc::new(Arrival {
        settings: settings.clone(),
        callback,
        log,
        clock,
    });
    let job = arrival.clone();
    let attempt = engine.store().write(move |conn| job.store(conn)).await;
    match attempt {
        Ok((reply, applied, row)) => {
            engine.publish(EngineEvent::Exchange { exchange: row });
            for event in applied.events {
                engine.publish(event);
            }
            if let Some(conversation) = &applied.conversation {
                if let Err(e) = engine.announce(conversation).await {
                    tracing::warn!(error = %e, "could not announce a conversation change");
                }
            }
            respond(reply)
        }
        Err(e) => {
            tracing::error!(error = %e, path = kind.path(), "callback not stored");
            let reply = Reply::refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(kind),
                format!("not stored, send it again: {e}"),
            );
            finish(engine, arrival.log.clone(), reply, clock).await
        }
    }
}

/// Bodies above this are parsed and sanitized on a blocking thread, off the async workers.
const PARSED_INLINE: usize = 64 * 1024;

/// Parses a callback body (sanitizing agent HTML) where it costs the other requests least.
async fn parse(
    kind: CallbackKind,
    body: Bytes,
    settings: Arc<Settings>,
) -> std::result::Result<Callback, ParseError> {
    if body.len() <= PARSED_INLINE {
        return Callback::parse(kind, &body, &settings.sanitizer);
    }
    match tokio::task::spawn_blocking(move || Callback::parse(kind, &body, &settings.sanitizer))
        .await
    {
        Ok(parsed) => parsed,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// A callback on its way into the group commit; its job may run twice (see
/// `store::writer`), so it reads from here and owns nothing it could use up.
struct Arrival {
    settings: Arc<Settings>,
    callback: Callback,
    /// The exchange with its request side filled in.
    log: NewExchange,
    clock: Instant,
}

impl Arrival {
    /// Applies the callback and logs its exchange, inside the writer's transaction.
    fn store(&self, conn: &Connection) -> Result<(Reply, Applied, Exchange)> {
        let applied = apply(conn, &self.callback, &self.settings)?;
        let reply = Reply::json(StatusCode::OK, applied.answer.clone());
        let mut log = self.log.clone();
        log.open_id = applied.open_id.clone();
        log.conversation_id = applied.conversation.as_ref().map(|c| c.id);
        log.findings.extend(applied.findings.iter().cloned());
        fill(&mut log, &reply, self.clock);
        let row = exchanges::insert(conn, &log)?;
        Ok((reply, applied, row))
    }
}

fn fill(log: &mut NewExchange, reply: &Reply, clock: Instant) {
    let ours = answer_findings(
        log.operation.as_deref(),
        Some(reply.status.as_u16()),
        Some(&reply.logged),
    );
    log.findings.extend(ours);
    log.status = Some(reply.status.as_u16());
    log.response_body = Some(reply.logged.clone());
    log.result_code = reply.result_code;
    log.outcome = reply.outcome();
    log.error = reply.error.clone();
    log.duration_us = clock.elapsed().as_micros() as i64;
}

/// Logs an exchange that changed nothing, then answers.
async fn finish(engine: &Engine, mut log: NewExchange, reply: Reply, clock: Instant) -> Response {
    fill(&mut log, &reply, clock);
    match engine.store().log_exchange(log).await {
        Ok(row) => engine.publish(EngineEvent::Exchange { exchange: row }),
        Err(e) => tracing::error!(error = %e, "could not store an incoming exchange"),
    }
    respond(reply)
}

fn respond(reply: Reply) -> Response {
    let body = if reply.drop_connection {
        // A body that fails at once: the connection closes before the answer is complete.
        Body::from_stream(futures::stream::once(async {
            Err::<bytes::Bytes, _>(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "injected drop",
            ))
        }))
    } else {
        Body::from(reply.body)
    };
    (
        reply.status,
        [(header::CONTENT_TYPE, reply.content_type)],
        body,
    )
        .into_response()
}

/// `GET /wechat/{serviceAccountId}/{type}?file=NAME`.
async fn serve_media(engine: &Engine, settings: &Settings, path: &str, query: &str) -> Reply {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let [_, account, kind] = segments.as_slice() else {
        return Reply::refuse(
            StatusCode::NOT_FOUND,
            None,
            "media addresses look like /wechat/{serviceAccountId}/{type}?file=NAME".into(),
        );
    };
    let file = query_value(query, "file").unwrap_or_default();
    if !is_plain_file_name(file) {
        return Reply::refuse(
            StatusCode::BAD_REQUEST,
            None,
            format!("`file={file}` is not a media file name"),
        );
    }
    let Some(kind) = MediaKind::parse(kind) else {
        return Reply::refuse(
            StatusCode::NOT_FOUND,
            None,
            format!("no media type `{kind}`: the type is one of image, voice, video, thumb"),
        );
    };
    let found = match engine.store().media_file(file).await {
        Ok(found) => found,
        Err(e) => return Reply::refuse(StatusCode::INTERNAL_SERVER_ERROR, None, e.to_string()),
    };
    // The account it was stored under, or the one this hosting service is now: a changed
    // epid must not strand the files sent before.
    let owned = |m: &Media| m.service_account == *account || settings.profile.epid == *account;
    let Some(media) = found.filter(owned) else {
        return Reply::refuse(
            StatusCode::NOT_FOUND,
            None,
            format!("no media file {file} for service account {account}"),
        );
    };
    // A video's poster comes with the video: webchat may fetch it under either type.
    let fits = media.kind == kind || (media.kind == MediaKind::Thumb && kind == MediaKind::Video);
    if !fits {
        return Reply::refuse(
            StatusCode::NOT_FOUND,
            None,
            format!(
                "{file} is {} media, not {}: fetch it under /wechat/{account}/{}",
                media.kind.as_str(),
                kind.as_str(),
                media.kind.as_str()
            ),
        );
    }
    match engine.inner.media.read(&media.file_name).await {
        Ok(bytes) => Reply {
            status: StatusCode::OK,
            content_type: crate::media::mime_for(&media.file_name),
            logged: format!(
                "({} bytes of {}, sha256 {})",
                bytes.len(),
                media.mime,
                media.sha256
            ),
            body: bytes,
            result_code: None,
            error: None,
            drop_connection: false,
        },
        Err(e) => Reply::refuse(
            StatusCode::NOT_FOUND,
            None,
            format!("media file {file} is missing from the media folder: {e}"),
        ),
    }
}
