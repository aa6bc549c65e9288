//! The HTTP listener webchat calls: an axum router with the seven `/ari/*` callbacks
//! (`/ari//pushRating` too) and `GET /wechat/{serviceAccountId}/{type}?file=NAME` for media.
//! Two layers wrap every route: `record`, outermost, reads the body once, runs the request
//! on a task of its own (a webchat that hangs up cannot cut it short) and logs the exchange,
//! good or bad; `guard` refuses the sources and secrets the profile does not allow. A valid
//! callback is applied and logged in one transaction and answered after its commit.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use bytes::Bytes;
use rusqlite::Connection;
use serde_json::Value;
use tokio::net::TcpListener;
use wxsim_protocol::{
    parse::{read_json, ParseError},
    BasicAnswer, CallbackAnswer, CallbackKind, Finding, ResultCode,
};

use crate::access::{query_value, source_allowed};
use crate::callbacks::{self, answer, apply, Applied, Callback};
use crate::contract::{answer_findings, first_breach, request_findings, request_value_findings};
use crate::engine::{Engine, Settings};
use crate::error::Result;
use crate::events::EngineEvent;
use crate::faults::FaultAction;
use crate::media::is_plain_file_name;
use crate::model::{Customer, Exchange, ExchangeDirection, ExchangeOutcome, Media, MediaKind};
use crate::store::{customers, exchanges, headers_json, now_ms, NewExchange};
use crate::system_line::SystemLine;

pub(crate) fn spawn(engine: Engine, listener: TcpListener) {
    let shutdown = engine.inner.shutdown.clone();
    let app = router(engine);
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

fn router(engine: Engine) -> Router {
    Router::new()
        .route("/ari/{*operation}", post(callback).fallback(not_post))
        .route("/wechat/{account}/{kind}", get(media).fallback(not_get))
        .fallback(nowhere)
        .layer(middleware::from_fn_with_state(engine.clone(), guard))
        .layer(middleware::from_fn_with_state(engine.clone(), record))
        .with_state(engine)
}

/// What `record` learned of a request, for the layers and handlers below it.
#[derive(Clone)]
struct Arrived {
    /// One snapshot of the settings serves the whole request.
    settings: Arc<Settings>,
    /// The exchange with its request side filled in.
    log: NewExchange,
    /// `None` when the body was over the profile's limit (`max_body_bytes`).
    body: Option<Bytes>,
    clock: Instant,
}

impl Arrived {
    /// The answer, with the exchange `record` is to log for it.
    fn answer(&self, operation: Option<&str>, findings: Vec<Finding>, reply: Reply) -> Response {
        let mut log = self.log.clone();
        log.operation = operation.map(str::to_owned);
        log.findings = findings;
        fill(&mut log, &reply, self.clock);
        let mut response = respond(reply);
        response
            .extensions_mut()
            .insert(Logged::Pending(Box::new(log)));
        response
    }
}

/// How an answer reaches the exchange log.
#[derive(Clone)]
enum Logged {
    /// A callback's, stored in the transaction that applied it (and announced).
    Stored,
    /// For `record` to store.
    Pending(Box<NewExchange>),
}

/// Reads the body once, runs the rest on a task of its own, and logs the exchange.
async fn record(State(engine): State<Engine>, request: Request, next: Next) -> Response {
    let task = tokio::spawn(async move {
        let clock = Instant::now();
        let started_at = now_ms();
        let settings = engine.settings();
        let (parts, body) = request.into_parts();
        let limit = usize::try_from(settings.profile.max_body_bytes).unwrap_or(usize::MAX);
        let body = to_bytes(body, limit).await.ok();
        let log = NewExchange {
            direction: ExchangeDirection::In,
            method: parts.method.to_string(),
            path: parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned()),
            operation: None,
            open_id: None,
            conversation_id: None,
            request_headers: headers_json(&parts.headers),
            request_body: match &body {
                Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                None => format!("(body over {limit} bytes, not kept)"),
            },
            status: None,
            response_body: None,
            result_code: None,
            outcome: ExchangeOutcome::Ok,
            error: None,
            started_at,
            duration_us: 0,
            findings: vec![],
        };
        let mut request = Request::from_parts(parts, Body::empty());
        request.extensions_mut().insert(Arrived {
            settings,
            log,
            body,
            clock,
        });
        let mut response = next.run(request).await;
        if let Some(Logged::Pending(log)) = response.extensions_mut().remove::<Logged>() {
            match engine.store().log_exchange(*log).await {
                Ok(row) => engine.publish(EngineEvent::Exchange { exchange: row }),
                Err(e) => tracing::error!(error = %e, "could not store an incoming exchange"),
            }
        }
        response
    });
    match task.await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Refuses a source outside the profile's allow-list, and a missing or wrong shared secret.
async fn guard(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(arrived): Extension<Arrived>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Response {
    let profile = &arrived.settings.profile;
    if !source_allowed(&profile.allowed_sources, peer.ip()) {
        let message = format!(
            "{} is not in the allowed sources of this hosting service",
            peer.ip()
        );
        return arrived.answer(
            None,
            vec![],
            Reply::refuse(StatusCode::FORBIDDEN, None, message),
        );
    }
    let presented = headers.get("x-wxsim-secret").and_then(|v| v.to_str().ok());
    if profile
        .shared_secret
        .as_deref()
        .is_some_and(|secret| presented != Some(secret))
    {
        let message = "missing or wrong X-Wxsim-Secret header".to_owned();
        return arrived.answer(
            None,
            vec![],
            Reply::refuse(StatusCode::UNAUTHORIZED, None, message),
        );
    }
    next.run(request).await
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
            None => CallbackAnswer::Basic(BasicAnswer {
                result: ResultCode::InternalError,
                message,
            })
            .to_value(),
        };
        Reply::json(status, value)
    }

    fn outcome(&self) -> ExchangeOutcome {
        ExchangeOutcome::judge(Some(self.status.as_u16()), self.result_code, true)
    }
}

/// Any address that is neither a callback nor a media file.
async fn nowhere(Extension(arrived): Extension<Arrived>, uri: Uri) -> Response {
    let path = uri.path();
    let message = if path.starts_with("/wechat/") {
        "media addresses look like /wechat/{serviceAccountId}/{type}?file=NAME".to_owned()
    } else {
        format!("no such address: {path}; callbacks live under /ari/ and media under /wechat/")
    };
    let operation = path.starts_with("/wechat/").then_some("/wechat/");
    arrived.answer(
        operation,
        vec![],
        Reply::refuse(StatusCode::NOT_FOUND, None, message),
    )
}

async fn not_post(Extension(arrived): Extension<Arrived>, method: Method, uri: Uri) -> Response {
    let Some(kind) = CallbackKind::from_path(uri.path()) else {
        return nowhere(Extension(arrived), uri).await;
    };
    let message = format!(
        "{method} is not allowed on {}; callbacks are POST",
        kind.path()
    );
    arrived.answer(
        Some(kind.path()),
        vec![],
        Reply::refuse(StatusCode::METHOD_NOT_ALLOWED, Some(kind), message),
    )
}

async fn not_get(Extension(arrived): Extension<Arrived>, method: Method) -> Response {
    let message = format!("{method} is not allowed on media addresses; use GET");
    arrived.answer(
        Some("/wechat/"),
        vec![],
        Reply::refuse(StatusCode::METHOD_NOT_ALLOWED, None, message),
    )
}

/// Writes in the chat the callback names that a fault answered it, and tells the UI; answers
/// that chat's id.
async fn note_fault(
    engine: &Engine,
    kind: CallbackKind,
    action: FaultAction,
    body: Bytes,
) -> Option<i64> {
    let line = SystemLine::FaultInjected {
        path: kind.path().into(),
        action,
    };
    match engine
        .store()
        .write(move |conn| callbacks::note_fault(conn, &body, &line))
        .await
    {
        Ok(Some(message)) => {
            let conversation_id = message.conversation_id;
            engine.publish(EngineEvent::MessageAdded { message });
            Some(conversation_id)
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "could not note an injected fault in its chat");
            None
        }
    }
}

/// An injected fault's answer and the fault, or `None` to carry on (after any delay).
async fn injected(engine: &Engine, kind: CallbackKind) -> Option<(FaultAction, Reply)> {
    let action = engine.take_fault(kind)?;
    let note = |reply: Reply| {
        let error = Some(format!("injected fault: {action:?}"));
        Some((action.clone(), Reply { error, ..reply }))
    };
    match &action {
        FaultAction::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            None
        }
        FaultAction::Result { code } => note(Reply::json(
            StatusCode::OK,
            answer(kind, ResultCode::from(*code), "injected fault"),
        )),
        FaultAction::Status { status } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            note(Reply::refuse(status, Some(kind), "injected fault".into()))
        }
        FaultAction::Drop => note(Reply {
            drop_connection: true,
            ..Reply::refuse(StatusCode::OK, Some(kind), "dropped".into())
        }),
    }
}

/// `POST /ari/{operation}`: applies a callback and logs it in one transaction, then answers.
async fn callback(
    State(engine): State<Engine>,
    Extension(arrived): Extension<Arrived>,
    uri: Uri,
) -> Response {
    let Some(kind) = CallbackKind::from_path(uri.path()) else {
        return nowhere(Extension(arrived), uri).await;
    };
    let operation = Some(kind.path());
    let Some(body) = arrived.body.clone() else {
        let limit = arrived.settings.profile.max_body_bytes;
        let message = format!("body is larger than {limit} bytes");
        return arrived.answer(
            operation,
            vec![],
            Reply::refuse(StatusCode::PAYLOAD_TOO_LARGE, Some(kind), message),
        );
    };
    if let Some((action, reply)) = injected(&engine, kind).await {
        // Logged with the chat it names, like a callback that was applied.
        let mut arrived = arrived;
        arrived.log.conversation_id = note_fault(&engine, kind, action, body).await;
        return arrived.answer(operation, vec![], reply);
    }
    // The body is read as JSON once: the contract checker and the typed parse share it.
    let (value, findings) = match read_json(&body) {
        Ok(value) => {
            let findings = request_value_findings(operation, &value);
            (Ok(value), findings)
        }
        Err(e) => (
            Err(e),
            request_findings(operation, &arrived.log.request_body),
        ),
    };
    if arrived.settings.profile.strict_contract {
        if let Some(breach) = first_breach(&findings) {
            let message = format!("contract: {}", breach.message);
            let reply = Reply::json(
                StatusCode::OK,
                answer(kind, ResultCode::InternalError, &message),
            );
            return arrived.answer(operation, findings, reply);
        }
    }
    let parsed = match value {
        Ok(value) => parse(kind, value, body.len(), arrived.settings.clone()).await,
        Err(e) => Err(e),
    };
    let callback = match parsed {
        Ok(callback) => callback,
        Err(e) => {
            let reply = Reply::refuse(StatusCode::BAD_REQUEST, Some(kind), e.to_string());
            return arrived.answer(operation, findings, reply);
        }
    };
    let mut log = arrived.log.clone();
    log.operation = operation.map(str::to_owned);
    log.findings = findings;
    let job = Arc::new(Arrival {
        settings: arrived.settings.clone(),
        callback,
        log,
        clock: arrived.clock,
    });
    let attempt = engine.store().write({
        let job = job.clone();
        move |conn| job.store(conn)
    });
    match attempt.await {
        Ok((reply, applied, row, customer)) => {
            engine.announce_applied(row, applied, customer);
            let mut response = respond(reply);
            response.extensions_mut().insert(Logged::Stored);
            response
        }
        Err(e) => {
            tracing::error!(error = %e, path = kind.path(), "callback not stored");
            let message = format!("not stored, send it again: {e}");
            let reply = Reply::refuse(StatusCode::INTERNAL_SERVER_ERROR, Some(kind), message);
            arrived.answer(operation, job.log.findings.clone(), reply)
        }
    }
}

/// Bodies above this are sanitized on a blocking thread, off the async workers.
const PARSED_INLINE: usize = 64 * 1024;

/// Reads a callback from its JSON (sanitizing agent HTML) where it costs the other requests
/// least.
async fn parse(
    kind: CallbackKind,
    value: Value,
    size: usize,
    settings: Arc<Settings>,
) -> std::result::Result<Callback, ParseError> {
    if size <= PARSED_INLINE {
        return Callback::from_value(kind, value, &settings.sanitizer);
    }
    let parsed =
        tokio::task::spawn_blocking(move || Callback::from_value(kind, value, &settings.sanitizer));
    match parsed.await {
        Ok(parsed) => parsed,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// A callback on its way into the group commit; its job may run twice (see
/// `store::writer`), so it reads from here and owns nothing it could use up.
struct Arrival {
    settings: Arc<Settings>,
    callback: Callback,
    /// The exchange with its request side and findings filled in.
    log: NewExchange,
    clock: Instant,
}

impl Arrival {
    /// Applies the callback and logs its exchange, inside the writer's transaction; reads
    /// there the customer of a conversation it changed, for the events (a read after the
    /// commit was two more thread hops before the answer).
    fn store(&self, conn: &Connection) -> Result<(Reply, Applied, Exchange, Option<Customer>)> {
        let applied = apply(conn, &self.callback, &self.settings)?;
        let reply = Reply::json(StatusCode::OK, applied.answer.clone());
        let mut log = self.log.clone();
        log.open_id = applied.open_id.clone();
        log.conversation_id = applied.conversation.as_ref().map(|c| c.id);
        log.findings.extend(applied.findings.iter().cloned());
        fill(&mut log, &reply, self.clock);
        let row = exchanges::insert(conn, &log)?;
        let customer = match &applied.conversation {
            Some(conversation) => Some(customers::fetch(conn, conversation.customer_id)?),
            None => None,
        };
        Ok((reply, applied, row, customer))
    }
}

/// Fills the answer side of an exchange.
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
async fn media(
    State(engine): State<Engine>,
    Extension(arrived): Extension<Arrived>,
    Path((account, kind)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let reply = serve_media(
        &engine,
        &arrived.settings,
        &account,
        &kind,
        query.as_deref().unwrap_or_default(),
    )
    .await;
    arrived.answer(Some("/wechat/"), vec![], reply)
}

async fn serve_media(
    engine: &Engine,
    settings: &Settings,
    account: &str,
    kind: &str,
    query: &str,
) -> Reply {
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
            logged: crate::media::summary(bytes.len(), &media.mime, &media.sha256),
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
