//! The window's IPC: the `api` and `upload_media` commands (the API router called
//! in-process with the token), `save_file` (a native save dialog), and `next_events`, the
//! page's long-poll for engine events (queued in events.rs; `watch_events` says which). Pulled, not emitted: Tauri's
//! `emit` evaluates a script in the page per delivery and WebKit's web process kept them;
//! over 100,000 callbacks into the open window it grew 190 → 1,006 MB with emits and
//! 189 → 199 MB pulled (all processes +191 % → +4.7 %; debug build under xvfb-run, per
//! process VmRSS; the table is in crates/bench/NOTES.md, footprint).

use axum::body::Body;
use axum::http::{header, Method, Request};
use serde::Serialize;
use serde_json::{json, Value};
use tauri::{State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use tower::ServiceExt;

use crate::backend::Backend;
use crate::events::EventQueue;
use wxsim_engine::{EventBatch, EventWatch};

/// What a command rejects with: the API's status and its `{kind, message, ...}` error.
#[derive(Debug, Serialize)]
pub struct IpcError {
    status: u16,
    error: Value,
}

impl IpcError {
    fn new(status: u16, kind: &str, message: impl Into<String>) -> Self {
        IpcError {
            status,
            error: json!({ "kind": kind, "message": message.into() }),
        }
    }
}

/// Calls `method path` of the API with `body` as JSON; answers its JSON, or its bytes as
/// an array of numbers when the answer is not JSON (`GET /api/media/{id}`).
#[tauri::command]
pub async fn api(
    backend: State<'_, Backend>,
    method: String,
    path: String,
    body: Option<Value>,
) -> Result<Value, IpcError> {
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| IpcError::new(400, "invalid", format!("`{method}` is not an HTTP method")))?;
    if !path.starts_with("/api/") {
        return Err(IpcError::new(
            404,
            "not_found",
            format!("`{path}` is not under /api/"),
        ));
    }
    if path.split('?').next() == Some("/api/events") {
        return Err(IpcError::new(
            400,
            "invalid",
            "the desktop delivers events through the `next_events` command; call it instead",
        ));
    }
    let request = Request::builder().method(method).uri(&path);
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    call(&backend, request).await
}

/// Uploads a media file (`POST /api/media?kind=&name=`); answers the Media JSON.
#[tauri::command]
pub async fn upload_media(
    backend: State<'_, Backend>,
    kind: String,
    name: String,
    bytes: Vec<u8>,
) -> Result<Value, IpcError> {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("kind", &kind)
        .append_pair("name", &name)
        .finish();
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/media?{query}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes));
    call(&backend, request).await
}

async fn call(
    backend: &Backend,
    request: Result<Request<Body>, axum::http::Error>,
) -> Result<Value, IpcError> {
    let mut request = request.map_err(|e| IpcError::new(400, "invalid", e.to_string()))?;
    let bearer = format!("Bearer {}", backend.token());
    let bearer = bearer
        .parse()
        .map_err(|_| IpcError::new(500, "internal", "the token is not a header value"))?;
    request.headers_mut().insert(header::AUTHORIZATION, bearer);
    let response = match backend.router().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|e| IpcError::new(500, "internal", format!("reading the answer: {e}")))?;
    let answer = match (is_json, bytes.is_empty()) {
        (_, true) => Value::Null,
        (true, false) => serde_json::from_slice(&bytes)
            .map_err(|e| IpcError::new(500, "internal", format!("the answer is not JSON: {e}")))?,
        (false, false) => Value::from(bytes.to_vec()),
    };
    if status.is_success() {
        return Ok(answer);
    }
    Err(match answer {
        Value::Object(mut body) if body.contains_key("error") => IpcError {
            status: status.as_u16(),
            error: body.remove("error").unwrap_or_default(),
        },
        _ => IpcError::new(status.as_u16(), "http", format!("HTTP {status}")),
    })
}

/// Asks where to save `contents` (a history export) and writes it there; answers the
/// path, or null when the user cancelled.
#[tauri::command]
pub async fn save_file(
    window: WebviewWindow,
    default_name: String,
    contents: String,
) -> Result<Option<String>, IpcError> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(&window)
        .set_file_name(&default_name)
        .save_file(move |path| {
            let _ = chosen.send(path);
        });
    let Some(path) = answer.await.ok().flatten() else {
        return Ok(None);
    };
    let path = path
        .into_path()
        .map_err(|e| IpcError::new(400, "invalid", format!("not a local file: {e}")))?;
    tokio::fs::write(&path, contents)
        .await
        .map_err(|e| IpcError::new(500, "io", format!("cannot write {}: {e}", path.display())))?;
    tracing::info!(path = %path.display(), "export saved");
    Ok(Some(path.display().to_string()))
}

/// What the page shows: from now on `next_events` answers only the events it wants. The
/// page awaits this before it reads what it is about to show.
#[tauri::command]
pub fn watch_events(queue: State<'_, EventQueue>, watch: EventWatch) {
    queue.watch(watch);
}

/// The window's long-poll for engine events: answers once at least one is queued (an empty
/// batch after a while), with everything queued within a frame; `lagged` when events were
/// dropped before them, and the page reloads.
#[tauri::command]
pub async fn next_events(queue: State<'_, EventQueue>) -> Result<EventBatch, IpcError> {
    queue
        .next()
        .await
        .map_err(|e| IpcError::new(503, "unavailable", e.to_string()))
}
