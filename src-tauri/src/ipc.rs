//! The window's IPC: `api` (an API route answering JSON) and `api_bytes` (one answering
//! bytes: media, exports), both the API router called in-process with the token;
//! `upload_media` (a raw body into `POST /api/media`), `api_upload` (a raw body into a route
//! that takes bytes: the desk's pictures), `save_file` (a native save dialog
//! writing a raw body), and `next_events`, the page's long-poll for engine events (queued in
//! events.rs; `watch_events` says which). Bytes cross as raw IPC bodies, never as JSON arrays
//! of numbers: a 64 MiB upload was 228.5 MiB of JSON text (3.57 bytes a byte), and is now
//! its 64 MiB. Pulled, not emitted: Tauri's
//! `emit` evaluates a script in the page per delivery and WebKit's web process kept them;
//! over 100,000 callbacks into the open window it grew 190 → 1,006 MB with emits and
//! 189 → 199 MB pulled (all processes +191 % → +4.7 %; debug build under xvfb-run, per
//! process VmRSS; the table is in crates/bench/NOTES.md, footprint).

use axum::body::{Body, Bytes};
use axum::http::{header, Method, Request};
use serde::Serialize;
use serde_json::{json, Value};
use tauri::ipc::{InvokeBody, Request as IpcRequest, Response as RawAnswer};
use tauri::{State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use tower::ServiceExt;

use crate::backend::Backend;
use crate::events::EventQueue;
use wxsim_engine::{EventBatch, EventWatch};

/// The header of `upload_media` saying what the file is: image, voice, video or thumb.
const KIND_HEADER: &str = "x-wxsim-kind";
/// The header naming the route of `api_upload`, percent-encoded.
const PATH_HEADER: &str = "x-wxsim-path";
/// The header naming the file of `upload_media` and `save_file`, percent-encoded
/// (`encodeURIComponent`): a header value cannot carry a name such as `会话.md` as it is.
const NAME_HEADER: &str = "x-wxsim-name";

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

    fn invalid(message: impl Into<String>) -> Self {
        IpcError::new(400, "invalid", message)
    }

    /// A window the shell could not open or show.
    pub fn window(message: impl Into<String>) -> Self {
        IpcError::new(500, "window", message)
    }
}

/// Calls `method path` of the API with `body` as JSON; answers its JSON (null when empty).
/// A route answering bytes (`GET /api/media/{id}`, exports) is `api_bytes`'s.
#[tauri::command]
pub async fn api(
    backend: State<'_, Backend>,
    method: String,
    path: String,
    body: Option<Value>,
) -> Result<Value, IpcError> {
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| IpcError::invalid(format!("`{method}` is not an HTTP method")))?;
    api_path(&path)?;
    let request = Request::builder().method(&method).uri(&path);
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    let answer = call(&backend, request).await?;
    match answer.content_type {
        _ if answer.bytes.is_empty() => Ok(Value::Null),
        Some(ref mime) if mime.starts_with("application/json") => json_of(&answer.bytes),
        mime => Err(IpcError::invalid(format!(
            "`{method} {path}` answers {}, not JSON: call `api_bytes` for it",
            mime.as_deref().unwrap_or("bytes of no content type")
        ))),
    }
}

/// Calls `GET path` of the API and answers its body as raw bytes, whatever its type (the
/// page receives an ArrayBuffer): media (`/api/media/{id}`) and exports, a JSON export
/// included, byte for byte as the server rendered it.
#[tauri::command]
pub async fn api_bytes(backend: State<'_, Backend>, path: String) -> Result<RawAnswer, IpcError> {
    api_path(&path)?;
    let request = Request::builder()
        .method(Method::GET)
        .uri(&path)
        .body(Body::empty());
    let answer = call(&backend, request).await?;
    Ok(RawAnswer::new(Vec::from(answer.bytes)))
}

/// Uploads a media file (`POST /api/media?kind=&name=`): the raw body is the file (an
/// ArrayBuffer or Uint8Array passed as `invoke`'s arguments), the `x-wxsim-kind` and
/// `x-wxsim-name` headers say what it is; answers the Media JSON.
#[tauri::command]
pub async fn upload_media(
    backend: State<'_, Backend>,
    request: IpcRequest<'_>,
) -> Result<Value, IpcError> {
    let bytes = raw_body(&request, "upload_media", "the file")?;
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("kind", &header_text(&request, KIND_HEADER)?)
        .append_pair("name", &header_text(&request, NAME_HEADER)?)
        .finish();
    post_raw(&backend, &format!("/api/media?{query}"), bytes).await
}

/// Posts the raw body (an ArrayBuffer or Uint8Array passed as `invoke`'s arguments) to the
/// API route the `x-wxsim-path` header names (`POST /api/simulator/desk/pictures`);
/// answers its JSON.
#[tauri::command]
pub async fn api_upload(
    backend: State<'_, Backend>,
    request: IpcRequest<'_>,
) -> Result<Value, IpcError> {
    let bytes = raw_body(&request, "api_upload", "the bytes")?;
    let path = header_text(&request, PATH_HEADER)?;
    api_path(&path)?;
    post_raw(&backend, &path, bytes).await
}

/// `POST path` with `bytes` as its body; answers the route's JSON.
async fn post_raw(backend: &Backend, path: &str, bytes: &[u8]) -> Result<Value, IpcError> {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        // The one copy: Tauri lends the body, the router takes it owned.
        .body(Body::from(bytes.to_vec()));
    json_of(&call(backend, request).await?.bytes)
}

fn json_of(bytes: &[u8]) -> Result<Value, IpcError> {
    serde_json::from_slice(bytes)
        .map_err(|e| IpcError::new(500, "internal", format!("the answer is not JSON: {e}")))
}

/// Refuses what is not an API route the page may call: outside /api/, or the event stream.
fn api_path(path: &str) -> Result<(), IpcError> {
    if !path.starts_with("/api/") {
        return Err(IpcError::new(
            404,
            "not_found",
            format!("`{path}` is not under /api/"),
        ));
    }
    if path.split('?').next() == Some("/api/events") {
        return Err(IpcError::invalid(
            "the desktop delivers events through the `next_events` command; call it instead",
        ));
    }
    Ok(())
}

/// The raw body of `request`; a JSON one (arguments as an object, or bytes as an array of
/// numbers) is refused.
fn raw_body<'r>(
    request: &'r IpcRequest<'_>,
    command: &str,
    what: &str,
) -> Result<&'r [u8], IpcError> {
    match request.body() {
        InvokeBody::Raw(bytes) => Ok(bytes),
        InvokeBody::Json(_) => Err(IpcError::invalid(format!(
            "`{command}` takes {what} as the raw body: pass an ArrayBuffer or a Uint8Array as \
             invoke's arguments, not JSON"
        ))),
    }
}

/// The value of header `name`, percent-decoded.
fn header_text(request: &IpcRequest<'_>, name: &str) -> Result<String, IpcError> {
    let value = request
        .headers()
        .get(name)
        .ok_or_else(|| IpcError::invalid(format!("the `{name}` header is missing")))?;
    percent_decoded(value.as_bytes()).ok_or_else(|| {
        IpcError::invalid(format!("the `{name}` header is not percent-encoded UTF-8"))
    })
}

/// Undoes `encodeURIComponent`: `%XX` escapes of UTF-8; None when that is not what it is.
fn percent_decoded(encoded: &[u8]) -> Option<String> {
    let hex = |digit: Option<&u8>| char::from(*digit?).to_digit(16);
    let mut decoded = Vec::with_capacity(encoded.len());
    let mut rest = encoded.iter();
    while let Some(&byte) = rest.next() {
        decoded.push(match byte {
            b'%' => u8::try_from(hex(rest.next())? << 4 | hex(rest.next())?).ok()?,
            byte => byte,
        });
    }
    String::from_utf8(decoded).ok()
}

/// A success answer of the API: its body and content type.
struct Answer {
    content_type: Option<String>,
    bytes: Bytes,
}

/// Calls the API with the token; answers its success, or rejects with its error.
async fn call(
    backend: &Backend,
    request: Result<Request<Body>, axum::http::Error>,
) -> Result<Answer, IpcError> {
    let mut request = request.map_err(|e| IpcError::invalid(e.to_string()))?;
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
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|e| IpcError::new(500, "internal", format!("reading the answer: {e}")))?;
    if status.is_success() {
        return Ok(Answer {
            content_type,
            bytes,
        });
    }
    Err(match serde_json::from_slice(&bytes) {
        Ok(Value::Object(mut body)) if body.contains_key("error") => IpcError {
            status: status.as_u16(),
            error: body.remove("error").unwrap_or_default(),
        },
        _ => IpcError::new(status.as_u16(), "http", format!("HTTP {status}")),
    })
}

/// Asks where to save an export and writes it there: the raw body is the file, byte for
/// byte, the `x-wxsim-name` header the name the dialog offers. Answers the path, or null
/// when the user cancelled.
#[tauri::command]
pub async fn save_file(
    window: WebviewWindow,
    request: IpcRequest<'_>,
) -> Result<Option<String>, IpcError> {
    let contents = raw_body(&request, "save_file", "the file's contents")?;
    let default_name = header_text(&request, NAME_HEADER)?;
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
        .map_err(|e| IpcError::invalid(format!("not a local file: {e}")))?;
    tokio::fs::write(&path, contents)
        .await
        .map_err(|e| IpcError::new(500, "io", format!("cannot write {}: {e}", path.display())))?;
    tracing::info!(path = %path.display(), bytes = contents.len(), "export saved");
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

#[cfg(test)]
mod tests {
    use super::percent_decoded;

    #[test]
    fn header_values_are_percent_decoded() {
        // encodeURIComponent("会话 1+1=2&.md"), and what it leaves as it is.
        let encoded = b"%E4%BC%9A%E8%AF%9D%201%2B1%3D2%26.md";
        assert_eq!(percent_decoded(encoded).as_deref(), Some("会话 1+1=2&.md"));
        assert_eq!(percent_decoded(b"dot.png").as_deref(), Some("dot.png"));
        assert_eq!(
            percent_decoded(b"a-b_c.d!~*'()").as_deref(),
            Some("a-b_c.d!~*'()")
        );
        // A cut or non-hex escape, and escapes that are not UTF-8.
        for bad in [&b"100%"[..], b"%4", b"%zz", b"%+f", b"%FF%FE"] {
            assert_eq!(
                percent_decoded(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
